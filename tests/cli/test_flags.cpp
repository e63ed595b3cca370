// The flag table every program's command line is: strict parsing that names the flag, ranges and
// choices, repeatable flags, switches, required flags, positional arguments, and a usage text made
// from the rows (defaults taken from the bound fields); the exit statuses of run_program and
// run_commands.
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "acne/cli/flags.hpp"
#include "acne/cli/program.hpp"

namespace test_cli_flags {

using acne::cli::flag_table;
using acne::cli::usage_error;

namespace {

struct settings {
  std::size_t count = 3;
  double rate = 0.5;
  std::string mode = "fast";
  std::filesystem::path out = "run";
  std::vector<std::string> tags{"a"};
  bool flip = true, quiet = false;
  std::uint64_t seed = 7;
};

flag_table table(settings& s) {
  flag_table t("prog cmd", "[options]", "What it does.");
  t.add("--count", s.count, "how many", {.positive = true})
      .add("--rate", s.rate, "a rate", {.max = 1})
      .add("--mode", s.mode, "speed", {.metavar = "NAME", .choices = {"fast", "slow"}})
      .add("--out", s.out, "folder", {.metavar = "DIR"});
  t.section("More")
      .add("--tag", s.tags, "a tag")
      .add("--flip", s.flip, "mirror")
      .add_switch("--quiet", s.quiet, true, "say less")
      .add("--seed", s.seed, "seed", {.min = 1, .max = 100});
  return t;
}

std::string error_of(std::vector<std::string> args) {
  settings s;
  auto t = table(s);
  try {
    t.parse(args);
  } catch (const usage_error& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(flags)

BOOST_AUTO_TEST_CASE(values_reach_their_fields) {
  settings s;
  auto t = table(s);
  const auto rest = t.parse({"--count", "12", "--rate", "0.25", "--mode", "slow", "--out", "x/y", "--tag", "b", "--tag",
                             "c", "--flip", "0", "--quiet", "--seed", "100"});
  BOOST_TEST(rest.empty());
  BOOST_TEST(s.count == 12u);
  BOOST_TEST(s.rate == 0.25);
  BOOST_TEST(s.mode == "slow");
  BOOST_TEST(s.out == std::filesystem::path("x/y"));
  BOOST_TEST((s.tags == std::vector<std::string>{"b", "c"}));  // the first value replaces the default
  BOOST_TEST(!s.flip);
  BOOST_TEST(s.quiet);
  BOOST_TEST(s.seed == 100u);
  BOOST_TEST(t.given("--count"));
  BOOST_TEST(!t.given("--help"));
  BOOST_TEST(!t.help());
}

BOOST_AUTO_TEST_CASE(untouched_fields_keep_their_defaults_and_a_later_value_wins) {
  settings s;
  auto t = table(s);
  t.parse({"--count", "4", "--count", "5"});
  BOOST_TEST(s.count == 5u);
  BOOST_TEST(s.rate == 0.5);
  BOOST_TEST((s.tags == std::vector<std::string>{"a"}));
  BOOST_TEST(!t.given("--rate"));
}

BOOST_AUTO_TEST_CASE(bad_values_are_refused_naming_the_flag) {
  BOOST_TEST(error_of({"--count", "0"}) == "--count needs a positive whole number, got '0'");
  BOOST_TEST(error_of({"--count", "12abc"}) == "--count needs a positive whole number, got '12abc'");
  BOOST_TEST(error_of({"--count", "-3"}) == "--count needs a positive whole number, got '-3'");
  BOOST_TEST(error_of({"--rate", "nan"}) == "--rate needs a non-negative number, got 'nan'");
  BOOST_TEST(error_of({"--rate", "1.5"}) == "--rate: 1.5 is outside (-inf, 1]");
  BOOST_TEST(error_of({"--seed", "0"}) == "--seed: 0 is outside 1..100");
  BOOST_TEST(error_of({"--seed", "101"}) == "--seed: 101 is outside 1..100");
  BOOST_TEST(error_of({"--mode", "medium"}) == "--mode must be fast or slow, not 'medium'");
  BOOST_TEST(error_of({"--flip", "yes"}) == "--flip must be 0 or 1, not 'yes'");
  BOOST_TEST(error_of({"--out", ""}) == "--out needs a non-empty value");
  BOOST_TEST(error_of({"--count"}) == "--count needs a value");
  BOOST_TEST(error_of({"--bogus", "1"}) == "unknown option --bogus");
  BOOST_TEST(error_of({"stray"}) == "unexpected argument 'stray'");
  BOOST_TEST(error_of({"--count", "99999999999999999999999"}) ==
             "--count needs a positive whole number, got '99999999999999999999999'");
}

BOOST_AUTO_TEST_CASE(required_flags_positional_arguments_and_help) {
  std::string name;
  int level = 0;
  flag_table t("prog go", "NAME...");
  t.add("--name", name, "who", {.required = true}).add("--level", level, "how much").allow_positional();
  BOOST_CHECK_EXCEPTION(t.parse({"--level", "2"}), usage_error,
                        [](const usage_error& e) { return std::string(e.what()) == "go needs --name"; });
  flag_table h("prog go", "NAME...");
  h.add("--name", name, "who", {.required = true});
  BOOST_CHECK_NO_THROW(h.parse({"--help"}));  // help needs nothing else
  BOOST_TEST(h.help());

  flag_table p("prog go", "NAME...");
  p.add("--name", name, "who", {.required = true}).allow_positional();
  const auto rest = p.parse({"one", "--name", "x", "two"});
  BOOST_TEST((rest == std::vector<std::string>{"one", "two"}));
  BOOST_TEST(name == "x");
}

BOOST_AUTO_TEST_CASE(custom_flags_apply_their_own_parse) {
  std::size_t cols = 0, rows = 0;
  flag_table t("prog", "[options]");
  t.add_custom("--grid", "CxR", "grid", [&](const std::string& v) {
    const auto x = v.find('x');
    if (x == std::string::npos) throw usage_error("--grid needs CxR");
    cols = acne::cli::whole_number("--grid", v.substr(0, x), true);
    rows = acne::cli::whole_number("--grid", v.substr(x + 1), true);
  }, "8x4");
  t.parse({"--grid", "3x2"});
  BOOST_TEST(cols == 3u);
  BOOST_TEST(rows == 2u);
  BOOST_CHECK_THROW(t.parse({"--grid", "3"}), usage_error);
  BOOST_TEST(t.usage().find("--grid CxR  grid (default 8x4)") != std::string::npos, t.usage());
}

BOOST_AUTO_TEST_CASE(usage_is_made_from_the_rows) {
  settings s;
  s.count = 9;  // the default shown is the field's value when the row is added
  const std::string u = table(s).usage();
  BOOST_TEST_MESSAGE(u);
  BOOST_TEST(u.find("usage: prog cmd [options]\n\nWhat it does.\n") == 0u);
  BOOST_TEST(u.find("--count N    how many (default 9)") != std::string::npos);
  BOOST_TEST(u.find("--mode NAME  speed: fast or slow (default fast)") != std::string::npos);
  BOOST_TEST(u.find("--seed N     seed, 1..100 (default 7)") != std::string::npos);
  BOOST_TEST(u.find("--tag TEXT   a tag (default a); repeatable") != std::string::npos);
  BOOST_TEST(u.find("--flip 0|1   mirror (default 1)") != std::string::npos);
  BOOST_TEST(u.find("\nMore:\n") != std::string::npos);
  BOOST_TEST(u.find("--quiet      say less\n") != std::string::npos);
  // Long help wraps under its column.
  std::string text;
  flag_table w("prog", "");
  w.add("--x", text, std::string(30, 'a') + " " + std::string(30, 'b') + " " + std::string(30, 'c') + " " + std::string(30, 'd'));
  const std::string wrapped = w.usage();
  for (std::size_t start = 0, end; (end = wrapped.find('\n', start)) != std::string::npos; start = end + 1)
    BOOST_TEST(end - start <= 100u, wrapped.substr(start, end - start));
}

BOOST_AUTO_TEST_CASE(a_flag_twice_in_a_table_is_a_programming_error) {
  int a = 0, b = 0;
  flag_table t("prog", "");
  t.add("--a", a, "first");
  BOOST_CHECK_THROW(t.add("--a", b, "again"), std::logic_error);
}

BOOST_AUTO_TEST_CASE(exit_statuses) {
  std::ostringstream err;
  BOOST_TEST(acne::cli::run_program("prog", err, [] { return 0; }) == 0);
  BOOST_TEST(acne::cli::run_program("prog", err, []() -> int { throw usage_error("bad flag"); }) == 2);
  BOOST_TEST(err.str().find("prog: bad flag\n") != std::string::npos);
  BOOST_TEST(acne::cli::run_program("prog", err, []() -> int { throw std::runtime_error("disk full"); }) == 1);
  BOOST_TEST(err.str().find("prog: error: disk full\n") != std::string::npos);

  std::ostringstream out, err2;
  const std::vector<acne::cli::command> commands{
      {"go", "goes", [](const std::vector<std::string>& a, std::ostream& o, std::ostream&) {
         o << "args " << a.size();
         return 0;
       }}};
  BOOST_TEST(acne::cli::run_commands("prog", "About.", commands, {"go", "x", "y"}, out, err2) == 0);
  BOOST_TEST(out.str() == "args 2");
  BOOST_TEST(acne::cli::run_commands("prog", "About.", commands, {"fly"}, out, err2) == 2);
  BOOST_TEST(err2.str().find("unknown command 'fly'") != std::string::npos);
  BOOST_TEST(acne::cli::run_commands("prog", "About.", commands, {}, out, err2) == 2);
  BOOST_TEST(err2.str().find("no command given") != std::string::npos);
  std::ostringstream help;
  BOOST_TEST(acne::cli::run_commands("prog", "About.", commands, {"--help"}, help, err2) == 0);
  BOOST_TEST(help.str().find("  go        goes\n") != std::string::npos, help.str());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_cli_flags
