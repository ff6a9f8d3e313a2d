// Options every loader sees: resource limits and optional stages.
#pragma once

#include <cstdint>
#include <string>

#include "ingest/archive.h"

namespace askio::ingest {

struct LoadOptions {
  ArchiveLimits archive;
  // OCR (tesseract) for images and for PDF pages without a text layer.
  bool ocr = true;
  std::string ocr_languages = "chi_sim+eng";
  // Wall-clock budget for one file's parse (PDF pages, OCR); a file that
  // runs over is failed with a clear error rather than stalling the batch.
  double time_budget_seconds = 120;
  // PDF pages / slides / sheets beyond this are not read.
  int max_pages = 10000;
  // Archives inside archives are opened this many levels deep.
  int max_archive_depth = 2;
};

}  // namespace askio::ingest
