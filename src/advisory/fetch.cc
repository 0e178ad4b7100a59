// HTTP(S) downloads for `cinch db import URL`, with libcurl.
#include <curl/curl.h>

#include <cstdio>

#include "advisory/import.h"

namespace cinch {
namespace {

struct Sink {
  std::FILE* file = nullptr;
  uint64_t written = 0;
  uint64_t limit = 0;
  bool too_big = false;
};

size_t Write(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  size_t n = size * count;
  if (sink->written + n > sink->limit) {
    sink->too_big = true;
    return 0;  // makes curl stop with CURLE_WRITE_ERROR
  }
  sink->written += n;
  return std::fwrite(data, 1, n, sink->file);
}

}  // namespace

Status DownloadToFile(const std::string& url, const std::string& path,
                      uint64_t max_bytes) {
  static const CURLcode init = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (init != CURLE_OK) return Fail("{}: cannot initialise libcurl", url);

  Sink sink;
  sink.limit = max_bytes;
  sink.file = std::fopen(path.c_str(), "wb");
  if (sink.file == nullptr) return Fail("{}: cannot create file", path);
  CURL* curl = curl_easy_init();
  if (curl == nullptr) {
    std::fclose(sink.file);
    return Fail("{}: cannot initialise libcurl", url);
  }
  char error[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_FAILONERROR, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 30L);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, 60L);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "cinch");
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Write);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
  CURLcode rc = curl_easy_perform(curl);
  curl_easy_cleanup(curl);
  bool closed = std::fclose(sink.file) == 0;

  if (sink.too_big) {
    return Fail("{}: download larger than {} bytes", url, max_bytes);
  }
  if (rc != CURLE_OK) {
    return Fail("{}: {}", url, error[0] ? error : curl_easy_strerror(rc));
  }
  if (!closed) return Fail("{}: write failed", path);
  return {};
}

}  // namespace cinch
