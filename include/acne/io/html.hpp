#pragma once
// A self-contained HTML page (its style inline, no script, nothing fetched): headings, paragraphs,
// tables and figures whose images are referenced relative to the page, so that the folder the page
// sits in can be moved or copied as a whole. Text is escaped; written atomically.
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "acne/io/report.hpp"

namespace acne::io {

inline std::string html_escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// One figure: an image file and its caption.
struct html_figure {
  std::filesystem::path image;
  std::string caption;
};

class html_page {
public:
  // `file` is where the page will be written: figures are referenced relative to its folder.
  html_page(std::filesystem::path file, std::string title) : file_(std::move(file)), title_(std::move(title)) {}

  html_page& heading(int level, std::string_view text) {
    const auto tag = "h" + std::to_string(level);
    body_ += "<" + tag + ">" + html_escape(text) + "</" + tag + ">\n";
    return *this;
  }

  html_page& paragraph(std::string_view text) {
    body_ += "<p>" + html_escape(text) + "</p>\n";
    return *this;
  }

  // The first row is the header.
  html_page& table(const std::vector<std::vector<std::string>>& rows) {
    body_ += "<table>\n";
    for (std::size_t r = 0; r < rows.size(); ++r) {
      const char* cell = r == 0 ? "th" : "td";
      body_ += "<tr>";
      for (const auto& text : rows[r]) body_ += std::string("<") + cell + ">" + html_escape(text) + "</" + cell + ">";
      body_ += "</tr>\n";
    }
    body_ += "</table>\n";
    return *this;
  }

  // Figures side by side; an image that does not exist is named as missing instead of shown broken.
  html_page& figures(const std::vector<html_figure>& row) {
    body_ += "<div class=\"row\">\n";
    for (const auto& f : row) {
      body_ += "<figure>";
      if (std::filesystem::exists(f.image)) {
        const auto src = html_escape(relative(f.image).generic_string());
        body_ += "<a href=\"" + src + "\"><img src=\"" + src + "\" alt=\"" + html_escape(f.caption) + "\"></a>";
      } else {
        body_ += "<div class=\"missing\">not produced: " + html_escape(f.image.filename().string()) + "</div>";
      }
      body_ += "<figcaption>" + html_escape(f.caption) + "</figcaption></figure>\n";
    }
    body_ += "</div>\n";
    return *this;
  }

  std::string text() const {
    return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + html_escape(title_) +
           "</title>\n<style>\n"
           "body{font-family:sans-serif;max-width:72em;margin:2em auto;padding:0 1em;color:#222}\n"
           "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #bbb;padding:.3em .7em;text-align:right}\n"
           "td:first-child,th:first-child{text-align:left}th{background:#eee}\n"
           ".row{display:flex;flex-wrap:wrap;gap:1em}figure{margin:0}img{max-width:34em;image-rendering:pixelated}\n"
           "figcaption{font-size:.85em;color:#555}.missing{padding:2em;border:1px dashed #999;color:#999}\n"
           "</style>\n</head>\n<body>\n<h1>" +
           html_escape(title_) + "</h1>\n" + body_ + "</body>\n</html>\n";
  }

  void write() const { write_text_file(file_, text()); }

private:
  std::filesystem::path relative(const std::filesystem::path& image) const {
    const auto dir = std::filesystem::absolute(file_).parent_path();
    return std::filesystem::absolute(image).lexically_normal().lexically_relative(dir.lexically_normal());
  }

  std::filesystem::path file_;
  std::string title_;
  std::string body_;
};

}  // namespace acne::io
