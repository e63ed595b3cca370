#pragma once
// A program's command line as one table: each row names a flag, binds it to the field it sets, and
// says what the value must be (its type, range or choices) and what it is for. Parsing, the error
// that names a flag, the default shown in the usage (the field's value when the row is added) and
// the usage text itself all come from that table, so they cannot drift apart.
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "acne/cli/numbers.hpp"

namespace acne::cli {

// What a bound value must satisfy; numbers outside [min, max] and strings outside `choices` are
// refused naming the flag.
struct value_rule {
  std::string metavar{};               // "N", "DIR", ...; derived from the field's type when empty
  std::optional<double> min{}, max{};  // inclusive
  bool positive = false;               // > 0 (whole numbers: >= 1)
  std::vector<std::string> choices{};
  std::string default_text{};          // shown instead of the field's value (e.g. "the images' size")
  bool required = false;
};

struct flag {
  std::string name, metavar, help, default_text;
  bool takes_value = true, repeatable = false, required = false;
  std::function<void(const std::string&)> set;
};

class flag_table {
public:
  flag_table(std::string program, std::string synopsis, std::string about = {})
      : program_(std::move(program)), synopsis_(std::move(synopsis)), about_(std::move(about)) {}

  // Rows that follow are shown under this heading.
  flag_table& section(std::string title) {
    rows_.push_back({std::move(title), {}});
    return *this;
  }

  // A flag bound to `field`, parsed as the field's type says.
  template <class T>
  flag_table& add(std::string name, T& field, std::string help, value_rule rule = {}) {
    flag f{std::move(name), rule.metavar.empty() ? default_metavar<T>() : rule.metavar, std::move(help),
           rule.default_text.empty() ? show(field) : rule.default_text};
    f.help += describe(rule);
    if constexpr (is_list<T>) f.repeatable = true;
    f.required = rule.required;
    // The first value of a repeatable flag replaces the default list; later ones append.
    f.set = [&field, rule, flag_name = f.name, fresh = std::make_shared<bool>(true)](const std::string& text) {
      if constexpr (is_list<T>) {
        if (*fresh) field.clear(), *fresh = false;
      }
      assign(flag_name, text, field, rule);
    };
    return push(std::move(f));
  }

  // A flag without a value: its presence stores `value` in `field`.
  template <class T>
  flag_table& add_switch(std::string name, T& field, T value, std::string help) {
    flag f{std::move(name), {}, std::move(help), {}, false};
    f.set = [&field, value](const std::string&) { field = value; };
    return push(std::move(f));
  }

  // A flag whose value needs more than a field (several fields, a parse of its own); `set` throws
  // usage_error naming the flag.
  flag_table& add_custom(std::string name, std::string metavar, std::string help,
                         std::function<void(const std::string&)> set, std::string default_text = {},
                         bool required = false) {
    flag f{std::move(name), std::move(metavar), std::move(help), std::move(default_text)};
    f.required = required;
    f.set = std::move(set);
    return push(std::move(f));
  }

  // Applies `args` in order (a later value of a flag wins; a repeatable flag collects); returns the
  // arguments that are not flags. --help / -h is noted, not an error; without it a required flag
  // that is missing is one.
  std::vector<std::string> parse(const std::vector<std::string>& args, std::size_t first = 0) {
    std::vector<std::string> positional;
    for (std::size_t i = first; i < args.size(); ++i) {
      const std::string& a = args[i];
      if (a == "--help" || a == "-h") {
        help_ = true;
        continue;
      }
      if (a.size() < 2 || a.rfind("--", 0) != 0) {
        if (!accepts_positional_) throw usage_error("unexpected argument '" + a + "'");
        positional.push_back(a);
        continue;
      }
      const flag* f = find(a);
      if (!f) throw usage_error("unknown option " + a);
      if (!f->takes_value) {
        f->set({});
      } else {
        if (i + 1 >= args.size()) throw usage_error(a + " needs a value");
        f->set(args[++i]);
      }
      given_.push_back(a);
    }
    if (!help_)
      for (const auto& f : flags_)
        if (f.required && !given(f.name)) throw usage_error(program_.substr(program_.rfind(' ') + 1) + " needs " + f.name);
    return positional;
  }

  flag_table& allow_positional() {
    accepts_positional_ = true;
    return *this;
  }
  bool help() const { return help_; }
  bool given(const std::string& name) const { return std::find(given_.begin(), given_.end(), name) != given_.end(); }
  const std::vector<std::string>& given_flags() const { return given_; }
  const std::string& program() const { return program_; }

  std::string usage() const {
    std::ostringstream out;
    out << "usage: " << program_ << " " << synopsis_ << "\n";
    if (!about_.empty()) out << "\n" << about_ << "\n";
    std::size_t width = 0;
    for (const auto& r : rows_)
      if (r.second) width = std::max(width, left_column(flags_[*r.second]).size());
    if (!rows_.empty() && rows_.front().second) out << "\noptions:\n";
    for (const auto& [title, index] : rows_) {
      if (!index) {
        out << "\n" << title << ":\n";
        continue;
      }
      const flag* f = &flags_[*index];
      const std::string left = left_column(*f);
      std::string text = f->help;
      if (f->required) text += " (required)";
      else if (!f->default_text.empty()) text += " (default " + f->default_text + ")";
      if (f->repeatable) text += "; repeatable";
      out << "  " << left << std::string(width - left.size() + 2, ' ') << wrapped(text, width + 4);
      out << "\n";
    }
    return out.str();
  }

private:
  template <class T>
  static constexpr bool is_list = std::is_same_v<T, std::vector<std::string>>;

  flag_table& push(flag f) {
    if (find(f.name)) throw std::logic_error(program_ + ": flag " + f.name + " is in the table twice");
    flags_.push_back(std::move(f));
    rows_.push_back({{}, flags_.size() - 1});
    return *this;
  }
  const flag* find(const std::string& name) const {
    for (const auto& f : flags_)
      if (f.name == name) return &f;
    return nullptr;
  }
  // `text` broken at spaces into lines of at most line_width columns, continued at column `indent`.
  static std::string wrapped(const std::string& text, std::size_t indent) {
    constexpr std::size_t line_width = 100;
    const std::size_t room = line_width > indent + 30 ? line_width - indent : 30;
    std::string out, word;
    std::size_t used = 0;
    std::istringstream words(text);
    while (words >> word) {
      if (used > 0 && used + 1 + word.size() > room) {
        out += "\n" + std::string(indent, ' ');
        used = 0;
      } else if (used > 0) {
        out += ' ';
        ++used;
      }
      out += word;
      used += word.size();
    }
    return out;
  }
  static std::string left_column(const flag& f) { return f.metavar.empty() ? f.name : f.name + " " + f.metavar; }

  template <class T>
  static std::string default_metavar() {
    if constexpr (std::is_same_v<T, bool>) return "0|1";
    else if constexpr (std::is_integral_v<T>) return "N";
    else if constexpr (std::is_floating_point_v<T>) return "X";
    else if constexpr (std::is_same_v<T, std::filesystem::path>) return "PATH";
    else return "TEXT";
  }

  template <class T>
  static std::string show(const T& v) {
    std::ostringstream s;
    if constexpr (is_list<T>) {
      for (std::size_t i = 0; i < v.size(); ++i) s << (i ? " " : "") << v[i];
    } else if constexpr (std::is_same_v<T, std::filesystem::path>) {
      s << v.string();
    } else if constexpr (std::is_same_v<T, bool>) {
      s << (v ? 1 : 0);
    } else {
      s << v;
    }
    return s.str();
  }

  static std::string describe(const value_rule& r) {
    std::ostringstream s;
    if (!r.choices.empty()) {
      s << ": ";
      for (std::size_t i = 0; i < r.choices.size(); ++i) s << (i ? i + 1 == r.choices.size() ? " or " : ", " : "") << r.choices[i];
    } else if (r.min && r.max) {
      s << ", " << *r.min << ".." << *r.max;
    }
    return s.str();
  }

  template <class T>
  static void assign(const std::string& name, const std::string& text, T& field, const value_rule& r) {
    if constexpr (std::is_same_v<T, bool>) {
      if (text != "0" && text != "1") throw usage_error(name + " must be 0 or 1, not '" + text + "'");
      field = text == "1";
    } else if constexpr (std::is_integral_v<T>) {
      const auto v = whole_number(name, text, r.positive);
      check_range(name, text, double(v), r);
      if (v > std::numeric_limits<T>::max()) throw usage_error(name + ": " + text + " is too large");
      field = T(v);
    } else if constexpr (std::is_floating_point_v<T>) {
      const bool any_sign = r.min && *r.min < 0;
      const double v = real_number(name, text, r.positive ? number_sign::positive : any_sign ? number_sign::any
                                                                                            : number_sign::non_negative);
      check_range(name, text, v, r);
      field = T(v);
    } else if constexpr (is_list<T>) {
      field.push_back(text);
    } else {
      if (text.empty()) throw usage_error(name + " needs a non-empty value");
      if (!r.choices.empty() && std::find(r.choices.begin(), r.choices.end(), text) == r.choices.end())
        throw usage_error(name + " must be" + describe(r).substr(1) + ", not '" + text + "'");
      field = T(text);
    }
  }

  static void check_range(const std::string& name, const std::string& text, double v, const value_rule& r) {
    if ((r.min && v < *r.min) || (r.max && v > *r.max)) {
      std::ostringstream s;
      s << name << ": " << text << " is outside ";
      if (r.min && r.max) s << *r.min << ".." << *r.max;
      else if (r.min) s << "[" << *r.min << ", inf)";
      else s << "(-inf, " << *r.max << "]";
      throw usage_error(s.str());
    }
  }

  std::string program_, synopsis_, about_;
  std::vector<flag> flags_;
  // A heading, or the index of a flag (flags_ may reallocate while the table is built).
  std::vector<std::pair<std::string, std::optional<std::size_t>>> rows_;
  std::vector<std::string> given_;
  bool help_ = false, accepts_positional_ = false;
};

}  // namespace acne::cli
