#!/usr/bin/env bash
# Regenerates the PDF and OCR test fixtures in tests/data/formats/ from the
# sources written below, with LibreOffice (documents -> PDF, image -> PDF) and
# ImageMagick (text -> scanned-looking images). All text is written for these
# tests (no third-party content).
#
# Needs: libreoffice-writer, libreoffice-draw, imagemagick, fonts-noto-cjk,
# fonts-dejavu. Output differs byte-for-byte between runs (creation dates), so
# only rerun it when a fixture has to change; the tests assert on content, not
# on bytes.
#
# Usage: bash scripts/data/make-pdf-fixtures.sh [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-tests/data/formats}
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A private LibreOffice profile, so a desktop session (or another run of this
# script) holding the default profile's lock cannot block the conversion.
soffice_pdf() {  # soffice_pdf FILTER_SPEC INPUT
  soffice --headless "-env:UserInstallation=file://$work/lo-profile" \
    --convert-to "$1" --outdir "$work" "$2" >/dev/null 2>&1
}

# ---------------------------------------------------------------------------
# A flat ODT (one XML file): a repeated page header, a page-number footer,
# headings of three sizes, wrapped Chinese and English paragraphs, a forced
# line break after a hyphen, and a bordered table.
fodt_head() {  # fodt_head TITLE [FOOTER_XML]
  local footer=${2:-'<text:page-number text:select-page="current">1</text:page-number>'}
  cat <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
  xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
  xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
  xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
  xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
  xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"
  xmlns:xlink="http://www.w3.org/1999/xlink"
  xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
  xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"
  office:version="1.2" office:mimetype="application/vnd.oasis.opendocument.text">
 <office:meta><dc:title>$1</dc:title></office:meta>
 <office:styles>
  <style:default-style style:family="paragraph">
   <style:paragraph-properties fo:margin-bottom="0.25cm" fo:line-height="120%"/>
   <style:text-properties fo:font-family="'DejaVu Sans'" fo:font-size="10pt"
     style:font-family-asian="'Noto Sans CJK SC'" style:font-size-asian="10pt" fo:language="en"
     fo:country="US" style:language-asian="zh" style:country-asian="CN"/>
  </style:default-style>
  <style:style style:name="Standard" style:family="paragraph"/>
  <style:style style:name="H1" style:family="paragraph">
   <style:paragraph-properties fo:margin-bottom="0.4cm"/>
   <style:text-properties fo:font-size="20pt" style:font-size-asian="20pt" fo:font-weight="bold"
     style:font-weight-asian="bold"/>
  </style:style>
  <style:style style:name="H2" style:family="paragraph">
   <style:paragraph-properties fo:margin-top="0.3cm" fo:margin-bottom="0.3cm"/>
   <style:text-properties fo:font-size="15pt" style:font-size-asian="15pt" fo:font-weight="bold"
     style:font-weight-asian="bold"/>
  </style:style>
  <style:style style:name="H3" style:family="paragraph">
   <style:text-properties fo:font-size="12.5pt" style:font-size-asian="12.5pt" fo:font-weight="bold"
     style:font-weight-asian="bold"/>
  </style:style>
  <style:style style:name="Header" style:family="paragraph">
   <style:paragraph-properties fo:text-align="end"/>
   <style:text-properties fo:font-size="8pt" style:font-size-asian="8pt"/>
  </style:style>
  <style:style style:name="Footer" style:family="paragraph">
   <style:paragraph-properties fo:text-align="center"/>
   <style:text-properties fo:font-size="9pt" style:font-size-asian="9pt"/>
  </style:style>
 </office:styles>
 <office:automatic-styles>
  <style:page-layout style:name="pm1">
   <style:page-layout-properties fo:page-width="14.8cm" fo:page-height="21cm" fo:margin-top="1cm"
     fo:margin-bottom="1cm" fo:margin-left="1.8cm" fo:margin-right="1.8cm"/>
   <style:header-style><style:header-footer-properties fo:min-height="0.5cm" fo:margin-bottom="0.6cm"/></style:header-style>
   <style:footer-style><style:header-footer-properties fo:min-height="0.5cm" fo:margin-top="0.6cm"/></style:footer-style>
  </style:page-layout>
  <style:style style:name="H2Break" style:family="paragraph" style:parent-style-name="H2">
   <style:paragraph-properties fo:break-before="page"/>
  </style:style>
  <style:style style:name="PBreak" style:family="paragraph" style:parent-style-name="Standard">
   <style:paragraph-properties fo:break-before="page"/>
  </style:style>
  <style:style style:name="Tbl" style:family="table">
   <style:table-properties style:width="11.2cm" table:align="left" fo:margin-bottom="0.3cm"/>
  </style:style>
  <style:style style:name="Cell" style:family="table-cell">
   <style:table-cell-properties fo:padding="0.08cm" fo:border="0.5pt solid #000000"/>
  </style:style>
  <style:style style:name="Bold" style:family="text">
   <style:text-properties fo:font-weight="bold" style:font-weight-asian="bold"/>
  </style:style>
  <style:style style:name="TwoColumns" style:family="section">
   <style:section-properties><style:columns fo:column-count="2" fo:column-gap="0.6cm"/></style:section-properties>
  </style:style>
  <text:list-style style:name="Bullets">
   <text:list-level-style-bullet text:level="1" text:bullet-char="•">
    <style:list-level-properties text:list-level-position-and-space-mode="label-alignment">
     <style:list-level-label-alignment text:label-followed-by="listtab" text:list-tab-stop-position="0.6cm" fo:text-indent="-0.4cm" fo:margin-left="0.6cm"/>
    </style:list-level-properties>
   </text:list-level-style-bullet>
  </text:list-style>
  <text:list-style style:name="Numbers">
   <text:list-level-style-number text:level="1" style:num-suffix="." style:num-format="1">
    <style:list-level-properties text:list-level-position-and-space-mode="label-alignment">
     <style:list-level-label-alignment text:label-followed-by="listtab" text:list-tab-stop-position="0.6cm" fo:text-indent="-0.5cm" fo:margin-left="0.6cm"/>
    </style:list-level-properties>
   </text:list-level-style-number>
  </text:list-style>
 </office:automatic-styles>
 <office:master-styles>
  <style:master-page style:name="Standard" style:page-layout-name="pm1">
   <style:header><text:p text:style-name="Header">示例公司 · Employee Handbook 2026</text:p></style:header>
   <style:footer><text:p text:style-name="Footer">$footer</text:p></style:footer>
  </style:master-page>
 </office:master-styles>
 <office:body><office:text>
EOF
}
fodt_tail() { echo ' </office:text></office:body>'; echo '</office:document>'; }

cell() { echo "<table:table-cell table:style-name=\"Cell\"><text:p>$1</text:p></table:table-cell>"; }
row() {
  echo "<table:table-row>"
  for c in "$@"; do cell "$c"; done
  echo "</table:table-row>"
}

handbook_body() {
  cat <<'EOF'
<text:h text:style-name="H1" text:outline-level="1">员工手册 Employee Handbook</text:h>
<text:p>本手册介绍公司的报销制度、差旅标准和休假安排。所有员工在入职第一周内应当阅读本手册，遇到本手册没有回答的问题时，请联系人力资源部或者直接询问部门经理。</text:p>
<text:p>This handbook explains how expenses are reimbursed, which travel allowances apply, and how annual leave is booked. Read it during your first week and keep it at hand when you plan a business trip.</text:p>
<text:h text:style-name="H2" text:outline-level="2">报销制度 Expense Policy</text:h>
<text:p>员工出差回来后，应在十个工作日内提交报销申请，并附上全部原始发票。超过三十个工作日未提交的申请，财务部有权不予受理。</text:p>
<text:p>Submit the reimburse-<text:line-break/>ment form with original receipts to the finance office before the tenth day of each month.</text:p>
<text:h text:style-name="H2Break" text:outline-level="2">差旅标准 Travel Allowance</text:h>
<text:p>下表列出各城市每晚住宿费和每日餐补的上限，超出部分由员工自行承担。</text:p>
<table:table table:style-name="Tbl">
<table:table-column table:number-columns-repeated="3"/>
EOF
  row '<text:span text:style-name="Bold">城市 City</text:span>' '<text:span text:style-name="Bold">住宿 Hotel</text:span>' '<text:span text:style-name="Bold">餐补 Meals</text:span>'
  row '北京 Beijing' '600元' '100元'
  row '上海 Shanghai' '550元' '100元'
  row '成都 Chengdu' '400元' '80元'
  cat <<'EOF'
</table:table>
<text:p>Hotel caps apply per night; meal allowances apply per calendar day spent travelling.</text:p>
<text:h text:style-name="H2Break" text:outline-level="2">休假安排 Leave</text:h>
<text:h text:style-name="H3" text:outline-level="3">年假 Annual Leave</text:h>
<text:p>员工每年享有十五天带薪年假，未休完的年假可以顺延到次年三月底，逾期作废。</text:p>
<text:p>Annual leave must be booked at least two weeks in advance through the HR portal, and your manager approves it within three working days.</text:p>
<text:h text:style-name="H3" text:outline-level="3">病假 Sick Leave</text:h>
<text:p>病假需要提供医院证明。Sick leave longer than two days requires a doctor's note.</text:p>
EOF
}

{
  fodt_head "员工手册 Employee Handbook"
  handbook_body
  fodt_tail
} >"$work/pdf-handbook.fodt"
soffice_pdf pdf "$work/pdf-handbook.fodt"
cp "$work/pdf-handbook.pdf" "$out/pdf-handbook.pdf"

# A second layout: lists, a table whose cells wrap, a two-column section,
# and a "Page N of M" footer.
layout_body() {
  cat <<'EOF'
<text:h text:style-name="H1" text:outline-level="1">项目周报 Weekly Report</text:h>
<text:p>本周完成了数据迁移的准备工作，下周开始正式切换。The migration rehearsal finished on Thursday without data loss.</text:p>
<text:h text:style-name="H2" text:outline-level="2">本周进展 Progress</text:h>
<text:list text:style-name="Bullets">
<text:list-item><text:p>完成了订单数据库的全量备份。</text:p></text:list-item>
<text:list-item><text:p>The search service now answers in under 200 milliseconds for ninety-nine percent of queries.</text:p></text:list-item>
<text:list-item><text:p>新员工培训资料已经上传到知识库。</text:p></text:list-item>
</text:list>
<text:h text:style-name="H2" text:outline-level="2">下周计划 Next Steps</text:h>
<text:list text:style-name="Numbers">
<text:list-item><text:p>切换生产流量到新集群。</text:p></text:list-item>
<text:list-item><text:p>Review the alerting thresholds with the operations team.</text:p></text:list-item>
</text:list>
<text:h text:style-name="H2" text:outline-level="2">任务清单 Task List</text:h>
<table:table table:style-name="Tbl">
<table:table-column table:number-columns-repeated="3"/>
EOF
  row '<text:span text:style-name="Bold">任务 Task</text:span>' '<text:span text:style-name="Bold">负责人 Owner</text:span>' '<text:span text:style-name="Bold">截止 Due</text:span>'
  row '数据迁移演练 Migration rehearsal with the full order history' '王芳 Wang Fang' '3月20日'
  row '压力测试 Load test' '李雷 Li Lei' '3月27日'
  cat <<'EOF'
</table:table>
<text:h text:style-name="H2Break" text:outline-level="2">风险 Risks</text:h>
<text:section text:style-name="TwoColumns" text:name="Risks">
<text:p>左栏：旧集群的磁盘空间只剩百分之十五，如果迁移推迟两周以上，需要先扩容。日志保留策略也需要同时调整，否则磁盘会在月底写满。</text:p>
<text:p>Left column: the old cluster has fifteen percent of its disk left, so a delay of more than two weeks means adding storage first.</text:p>
<text:p>右栏：新集群的监控尚未接入值班系统，切换当天需要安排两名工程师现场值守，直到告警全部接通为止。</text:p>
<text:p>Right column: on-call alerts for the new cluster are not wired up yet, so two engineers stay on site on the day of the switch.</text:p>
</text:section>
<text:p>本报告每周五更新。This report is updated every Friday.</text:p>
EOF
}

{
  fodt_head "项目周报 Weekly Report" 'Page <text:page-number text:select-page="current">1</text:page-number> of <text:page-count>2</text:page-count>'
  layout_body
  fodt_tail
} >"$work/pdf-layout.fodt"
soffice_pdf pdf "$work/pdf-layout.fodt"
cp "$work/pdf-layout.pdf" "$out/pdf-layout.pdf"

# The same document, encrypted with an open password ("secret"): the loader
# must refuse it with a clear error.
{
  fodt_head "Locked"
  echo '<text:p>这份文件需要密码才能打开。This file needs a password.</text:p>'
  fodt_tail
} >"$work/pdf-encrypted.fodt"
soffice_pdf 'pdf:writer_pdf_Export:{"EncryptFile":{"type":"boolean","value":"true"},"DocumentOpenPassword":{"type":"string","value":"secret"}}' \
  "$work/pdf-encrypted.fodt"
cp "$work/pdf-encrypted.pdf" "$out/pdf-encrypted.pdf"

# Encrypted with an owner password only (copying and printing restricted):
# opens without a password, as in any viewer, so its text is read.
{
  fodt_head "Restricted"
  echo '<text:p>这份文件禁止复制，但可以阅读。Copying is restricted, reading is not.</text:p>'
  fodt_tail
} >"$work/pdf-restricted.fodt"
soffice_pdf 'pdf:writer_pdf_Export:{"RestrictPermissions":{"type":"boolean","value":"true"},"PermissionPassword":{"type":"string","value":"owner"},"EnableCopyingOfContent":{"type":"boolean","value":"false"},"Printing":{"type":"long","value":"0"}}' \
  "$work/pdf-restricted.fodt"
cp "$work/pdf-restricted.pdf" "$out/pdf-restricted.pdf"

# ---------------------------------------------------------------------------
# Scans: text rendered to grayscale images at 300 dpi, as a flatbed scanner
# would produce them; then the page image alone as a PDF (no text layer),
# through LibreOffice Draw because Debian's ImageMagick policy forbids
# writing PDF.
render() {  # render OUT.png POINTSIZE TEXT
  convert -density 300 -units PixelsPerInch -background white -fill black \
    -font Noto-Sans-CJK-SC -pointsize "$2" label:"$3" \
    -bordercolor white -border 90 -colorspace Gray -depth 8 "$1"
}

scan_text='扫描通知 Scanned Notice
会议将于三月十五日在北京举行。
The meeting will be held in Beijing on 15 March.
请携带身份证和工作证。
Please bring your identity card.'
render "$work/scan-page.png" 12 "$scan_text"
soffice_pdf pdf "$work/scan-page.png"
cp "$work/scan-page.pdf" "$out/pdf-scan.pdf"

image_text='发票号码 Invoice 20260315
金额：三百八十元整
Total amount: 380 yuan
收款单位：示例科技有限公司'
render "$work/scan-invoice.png" 14 "$image_text"
# A slight tilt and blur, as a phone photo of a receipt would have.
convert "$work/scan-invoice.png" -background white -rotate 1.2 +repage -blur 0x0.5 \
  -colorspace Gray -depth 8 "$out/scan-invoice.png"
convert "$out/scan-invoice.png" -quality 80 "$out/scan-invoice.jpg"
convert "$out/scan-invoice.png" -threshold 60% -monochrome -compress Group4 "$out/scan-invoice.tif"

# Black text on a transparent background, as screenshots and exported
# graphics come: the transparent pixels are black underneath.
convert -density 300 -units PixelsPerInch -background none -fill black -font Noto-Sans-CJK-SC \
  -pointsize 14 label:'透明背景 Transparent background
截图中的文字' -bordercolor none -border 60 PNG32:"$out/scan-transparent.png"

# A two-page fax-style TIFF (one frame per page).
render "$work/fax-1.png" 14 '第一页 Page one
传真号码 Fax 8610'
render "$work/fax-2.png" 14 '第二页 Page two
请回电确认 Please call back'
convert "$work/fax-1.png" "$work/fax-2.png" -threshold 60% -monochrome -compress Group4 \
  "$out/scan-fax-2pages.tif"

ls -l "$out"/pdf-*.pdf "$out"/scan-*
