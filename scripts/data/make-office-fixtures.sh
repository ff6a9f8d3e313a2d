#!/usr/bin/env bash
# Regenerates the Office and CSV/TSV fixtures in tests/data/formats/ with the
# real writers (pandoc, LibreOffice) so the loaders are tested on the XML
# those programs actually produce, plus hand-made hostile packages (zip).
# Needs: pandoc, libreoffice (writer, calc), zip. Run from anywhere.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=tests/data/formats
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Stable zip timestamps from pandoc; a private LibreOffice profile so a
# running instance elsewhere does not swallow the conversion.
export SOURCE_DATE_EPOCH=1704067200
soffice() {
  command soffice -env:UserInstallation="file://$work/lo-profile" --headless "$@" >/dev/null
}

# --- DOCX written by pandoc: Title, headings, lists, a table, footnotes,
# a hard line break and tracked changes (an insertion and a deletion).
cat >"$work/pandoc.md" <<'EOF'
---
title: 员工手册 Employee Handbook
author: 人事部
---

# 第一章 总则 General Provisions

本手册适用于公司全体员工。This handbook applies to all employees.[^1]

## 1.1 工作时间 Working Hours

标准工作时间为周一至周五 9:00–18:00。[午休一小时。]{.insertion author="人事部" date="2024-03-01T09:00:00Z"}[午休两小时。]{.deletion author="人事部" date="2024-03-01T09:00:00Z"}

- 弹性工作需经主管批准。
- Remote work requires written approval.

1. 提交申请 Submit the request
2. 主管审批 Manager approval

## 1.2 报销标准 Expense Limits

| 城市 | 住宿上限 | 餐补 |
|------|---------|------|
| 北京 | 600元 | 100元 |
| 成都 | 400元 | 80元 |

### 1.2.1 例外 Exceptions

First line of the exception  
second line after a hard break.

# 第二章 假期 Leave

年假为每年十五天。[^2]

[^1]: 本手册自2024年1月1日起施行。
[^2]: Annual leave is prorated in the first year.
EOF
pandoc "$work/pandoc.md" -o "$out/office-pandoc.docx"

# --- DOCX written by LibreOffice from hand-written flat ODF: headings in
# Chinese-named styles (outline levels, one inheriting from another), a
# table with a row span and a column span, tracked changes, a comment, a
# footnote, a bullet list, a tab and a line break.
cat >"$work/libreoffice.fodt" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
  xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
  xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
  xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
  xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
  xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"
  office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text">
 <office:meta><dc:title>报销制度 Expense Policy</dc:title></office:meta>
 <office:styles>
  <style:style style:name="一级标题" style:family="paragraph" style:default-outline-level="1">
   <style:text-properties fo:font-size="18pt" fo:font-weight="bold"/>
  </style:style>
  <style:style style:name="二级标题" style:family="paragraph" style:parent-style-name="一级标题" style:default-outline-level="2">
   <style:text-properties fo:font-size="14pt"/>
  </style:style>
 </office:styles>
 <office:automatic-styles>
  <text:list-style style:name="L1">
   <text:list-level-style-bullet text:level="1" text:bullet-char="•"/>
  </text:list-style>
 </office:automatic-styles>
 <office:body>
  <office:text>
   <text:tracked-changes text:track-changes="false">
    <text:changed-region xml:id="ct1" text:id="ct1">
     <text:deletion>
      <office:change-info><dc:creator>李四</dc:creator><dc:date>2024-03-01T10:00:00</dc:date></office:change-info>
      <text:p>三十个自然日</text:p>
     </text:deletion>
    </text:changed-region>
    <text:changed-region xml:id="ct2" text:id="ct2">
     <text:insertion>
      <office:change-info><dc:creator>李四</dc:creator><dc:date>2024-03-01T10:00:00</dc:date></office:change-info>
     </text:insertion>
    </text:changed-region>
   </text:tracked-changes>
   <text:h text:style-name="一级标题" text:outline-level="1">报销制度</text:h>
   <text:p>员工应在出差结束后<text:change text:change-id="ct1"/><text:change-start text:change-id="ct2"/>十个工作日<text:change-end text:change-id="ct2"/>内提交报销申请。<office:annotation><dc:creator>王五</dc:creator><text:p>这段需要法务确认</text:p></office:annotation><text:note text:id="ftn1" text:note-class="footnote"><text:note-citation>1</text:note-citation><text:note-body><text:p>以财务部最新通知为准。</text:p></text:note-body></text:note></text:p>
   <text:h text:style-name="二级标题" text:outline-level="2">所需材料</text:h>
   <text:list text:style-name="L1">
    <text:list-item><text:p>发票原件</text:p></text:list-item>
    <text:list-item><text:p>行程单</text:p></text:list-item>
   </text:list>
   <text:p>联系人：<text:tab/>财务部<text:line-break/>电话：8001</text:p>
   <text:h text:style-name="二级标题" text:outline-level="2">报销标准</text:h>
   <table:table table:name="标准">
    <table:table-column table:number-columns-repeated="3"/>
    <table:table-row>
     <table:table-cell office:value-type="string"><text:p>类别</text:p></table:table-cell>
     <table:table-cell office:value-type="string"><text:p>项目</text:p></table:table-cell>
     <table:table-cell office:value-type="string"><text:p>上限</text:p></table:table-cell>
    </table:table-row>
    <table:table-row>
     <table:table-cell table:number-rows-spanned="2" office:value-type="string"><text:p>交通</text:p></table:table-cell>
     <table:table-cell office:value-type="string"><text:p>出租车</text:p></table:table-cell>
     <table:table-cell office:value-type="string"><text:p>200元</text:p></table:table-cell>
    </table:table-row>
    <table:table-row>
     <table:covered-table-cell/>
     <table:table-cell office:value-type="string"><text:p>高铁</text:p></table:table-cell>
     <table:table-cell office:value-type="string"><text:p>二等座</text:p></table:table-cell>
    </table:table-row>
    <table:table-row>
     <table:table-cell table:number-columns-spanned="2" office:value-type="string"><text:p>住宿（每晚）</text:p></table:table-cell>
     <table:covered-table-cell/>
     <table:table-cell office:value-type="string"><text:p>500元</text:p></table:table-cell>
    </table:table-row>
   </table:table>
   <text:p>超出标准的部分由个人承担。</text:p>
  </office:text>
 </office:body>
</office:document>
EOF
soffice --convert-to 'docx:MS Word 2007 XML' --outdir "$work" "$work/libreoffice.fodt"
cp "$work/libreoffice.docx" "$out/office-libreoffice.docx"

# --- XLSX written by LibreOffice from hand-written flat ODF: two sheets;
# Chinese headers, a date, a percentage, a boolean, a vertically merged
# category, a blank row, a sparse row, a merged title row above the header
# and formulas (cached results, one with binary float noise).
cat >"$work/products.fods" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
  xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
  xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
  xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
  xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0"
  xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2"
  xmlns:dc="http://purl.org/dc/elements/1.1/"
  office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.spreadsheet">
 <office:meta><dc:title>产品目录 Product Catalogue</dc:title></office:meta>
 <office:automatic-styles>
  <number:date-style style:name="N1">
   <number:year number:style="long"/><number:text>-</number:text>
   <number:month number:style="long"/><number:text>-</number:text>
   <number:day number:style="long"/>
  </number:date-style>
  <number:percentage-style style:name="N2">
   <number:number number:decimal-places="0" number:min-integer-digits="1"/><number:text>%</number:text>
  </number:percentage-style>
  <number:boolean-style style:name="N3"><number:boolean/></number:boolean-style>
  <style:style style:name="ce1" style:family="table-cell" style:data-style-name="N1"/>
  <style:style style:name="ce2" style:family="table-cell" style:data-style-name="N2"/>
  <style:style style:name="ce3" style:family="table-cell" style:data-style-name="N3"/>
 </office:automatic-styles>
 <office:body>
  <office:spreadsheet>
   <table:table table:name="产品">
    <table:table-row>
     <table:table-cell office:value-type="string"><text:p>类别</text:p></table:table-cell>
     <table:table-cell office:value-type="string"><text:p>产品</text:p></table:table-cell>
     <table:table-cell office:value-type="string"><text:p>价格</text:p></table:table-cell>
     <table:table-cell office:value-type="string"><text:p>库存</text:p></table:table-cell>
     <table:table-cell office:value-type="string"><text:p>上架日期</text:p></table:table-cell>
     <table:table-cell office:value-type="string"><text:p>折扣</text:p></table:table-cell>
     <table:table-cell office:value-type="string"><text:p>在售</text:p></table:table-cell>
    </table:table-row>
    <table:table-row>
     <table:table-cell table:number-rows-spanned="2" office:value-type="string"><text:p>水果</text:p></table:table-cell>
     <table:table-cell office:value-type="string"><text:p>苹果</text:p></table:table-cell>
     <table:table-cell office:value-type="float" office:value="5.5"><text:p>5.5</text:p></table:table-cell>
     <table:table-cell office:value-type="float" office:value="120"><text:p>120</text:p></table:table-cell>
     <table:table-cell table:style-name="ce1" office:value-type="date" office:date-value="2024-03-01"><text:p>2024-03-01</text:p></table:table-cell>
     <table:table-cell table:style-name="ce2" office:value-type="percentage" office:value="0.1"><text:p>10%</text:p></table:table-cell>
     <table:table-cell table:style-name="ce3" office:value-type="boolean" office:boolean-value="true"><text:p>TRUE</text:p></table:table-cell>
    </table:table-row>
    <table:table-row>
     <table:covered-table-cell/>
     <table:table-cell office:value-type="string"><text:p>香蕉</text:p></table:table-cell>
     <table:table-cell office:value-type="float" office:value="3.2"><text:p>3.2</text:p></table:table-cell>
     <table:table-cell/>
     <table:table-cell table:style-name="ce1" office:value-type="date" office:date-value="2024-03-15"><text:p>2024-03-15</text:p></table:table-cell>
     <table:table-cell table:style-name="ce2" office:value-type="percentage" office:value="0.05"><text:p>5%</text:p></table:table-cell>
     <table:table-cell table:style-name="ce3" office:value-type="boolean" office:boolean-value="false"><text:p>FALSE</text:p></table:table-cell>
    </table:table-row>
    <table:table-row><table:table-cell table:number-columns-repeated="7"/></table:table-row>
    <table:table-row>
     <table:table-cell office:value-type="string"><text:p>蔬菜</text:p></table:table-cell>
     <table:table-cell office:value-type="string"><text:p>白菜</text:p></table:table-cell>
     <table:table-cell table:number-columns-repeated="2"/>
     <table:table-cell table:style-name="ce1" office:value-type="date" office:date-value="2024-04-02"><text:p>2024-04-02</text:p></table:table-cell>
    </table:table-row>
    <table:table-row>
     <table:table-cell office:value-type="string"><text:p>饮料</text:p></table:table-cell>
     <table:table-cell office:value-type="string"><text:p>可乐, 330ml "经典"</text:p></table:table-cell>
     <table:table-cell office:value-type="float" office:value="2.5"><text:p>2.5</text:p></table:table-cell>
     <table:table-cell office:value-type="float" office:value="48"><text:p>48</text:p></table:table-cell>
    </table:table-row>
   </table:table>
   <table:table table:name="Sales 2024">
    <table:table-row>
     <table:table-cell table:number-columns-spanned="4" office:value-type="string"><text:p>2024 Quarterly Sales (万元)</text:p></table:table-cell>
     <table:covered-table-cell table:number-columns-repeated="3"/>
    </table:table-row>
    <table:table-row><table:table-cell table:number-columns-repeated="4"/></table:table-row>
    <table:table-row>
     <table:table-cell office:value-type="string"><text:p>Region</text:p></table:table-cell>
     <table:table-cell office:value-type="string"><text:p>Q1</text:p></table:table-cell>
     <table:table-cell office:value-type="string"><text:p>Q2</text:p></table:table-cell>
     <table:table-cell office:value-type="string"><text:p>Total</text:p></table:table-cell>
    </table:table-row>
    <table:table-row>
     <table:table-cell office:value-type="string"><text:p>华东 East</text:p></table:table-cell>
     <table:table-cell office:value-type="float" office:value="120.5"><text:p>120.5</text:p></table:table-cell>
     <table:table-cell office:value-type="float" office:value="98"><text:p>98</text:p></table:table-cell>
     <table:table-cell table:formula="of:=[.B4]+[.C4]" office:value-type="float" office:value="218.5"><text:p>218.5</text:p></table:table-cell>
    </table:table-row>
    <table:table-row>
     <table:table-cell office:value-type="string"><text:p>华南 South</text:p></table:table-cell>
     <table:table-cell office:value-type="float" office:value="0.1"><text:p>0.1</text:p></table:table-cell>
     <table:table-cell office:value-type="float" office:value="0.2"><text:p>0.2</text:p></table:table-cell>
     <table:table-cell table:formula="of:=[.B5]+[.C5]" office:value-type="float" office:value="0.30000000000000004"><text:p>0.3</text:p></table:table-cell>
    </table:table-row>
   </table:table>
  </office:spreadsheet>
 </office:body>
</office:document>
EOF
soffice --convert-to 'xlsx:Calc MS Excel 2007 XML' --outdir "$work" "$work/products.fods"
cp "$work/products.xlsx" "$out/office-products.xlsx"
# LibreOffice's own CSV of the first sheet (its quoting, its number text).
soffice --convert-to 'csv:Text - txt - csv (StarCalc):44,34,76,1' --outdir "$work" "$out/office-products.xlsx"
cp "$work/office-products.csv" "$out/table-libreoffice.csv"

# --- PPTX written by pandoc: a title slide, bullets, a table, speaker notes.
cat >"$work/slides.md" <<'EOF'
---
title: 2024年度产品发布 Product Launch
author: 市场部
---

# 产品概览 Overview

- 新一代智能音箱
- Battery life: 20 hours

::: notes
强调续航是竞品的两倍。Mention the two-year warranty.
:::

# 价格 Pricing

| 型号 | 价格 | 上市时间 |
|------|------|----------|
| 标准版 | 299元 | 3月 |
| 专业版 | 499元 | 5月 |

# 路线图 Roadmap

第三季度推出海外版本。

::: notes
海外版本先在新加坡上市。
:::
EOF
pandoc "$work/slides.md" -o "$out/office-slides.pptx"

# --- CSV and TSV edge cases, written byte for byte (CRLF line ends, quoted
# delimiters, doubled quotes, a line break inside quotes, a blank line, a
# ragged row, an empty quoted field, a BOM).
printf '\xEF\xBB\xBF产品,价格,"备注, 说明"\r\n苹果,5.5,"产地：""烟台"""\r\n"香蕉",3.2,"第一行\r\n第二行"\r\n\r\n橙子,"",缺货\r\n西瓜,12,夏季,额外列\r\n' \
  >"$out/table-quoting.csv"
printf '城市\t人口（万）\t"备注"\n北京\t2189\t首都\n上海\t2487\t"含""浦东""新区"\n深圳\t1768\n' \
  >"$out/table-cities.tsv"

# --- Hostile DOCX packages: an external entity (XXE), a billion-laughs
# DTD, malformed XML, and a package without word/document.xml.
mkdocx() {  # name document.xml-content
  local dir="$work/$1"
  mkdir -p "$dir/_rels" "$dir/word"
  cat >"$dir/[Content_Types].xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>
EOF
  cat >"$dir/_rels/.rels" <<'EOF'
<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>
EOF
  if [ -n "$2" ]; then printf '%s' "$2" >"$dir/word/document.xml"; fi
  rm -f "$out/$1.docx"
  (cd "$dir" && zip -q -X -r "$OLDPWD/$out/$1.docx" '[Content_Types].xml' _rels word)
}
W='xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
mkdocx hostile-xxe '<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE w:document [<!ENTITY e SYSTEM "file:///etc/passwd">]>
<w:document '"$W"'><w:body><w:p><w:r><w:t>before &e; after</w:t></w:r></w:p></w:body></w:document>'
mkdocx hostile-billion-laughs '<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<w:document '"$W"'><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>'
mkdocx hostile-malformed '<?xml version="1.0" encoding="UTF-8"?>
<w:document '"$W"'><w:body><w:p><w:r><w:t>unclosed</w:r></w:p></w:body></w:document>'
mkdocx hostile-no-document ''

ls -l "$out"/office-* "$out"/table-* "$out"/hostile-{xxe,billion-laughs,malformed,no-document}.docx
