#pragma once
// What every acne program shares around its flag table: the exit status (0 done, 1 failed, 2 bad
// usage), errors that name the program, and programs made of commands (acne-stylegan2 train ...).
#include <exception>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "acne/cli/numbers.hpp"
#include "acne/device_choice.hpp"

namespace acne::cli {

enum exit_status : int { done = 0, failed = 1, bad_usage = 2 };

// Runs `body` (which returns an exit status), turning what it throws into a message naming the
// program and the status: usage_error is bad usage, anything else a failure.
template <class F>
int run_program(const std::string& program, std::ostream& err, F&& body) {
  try {
    return body();
  } catch (const usage_error& e) {
    err << program << ": " << e.what() << "\n(" << program << " --help lists the options)\n";
    return bad_usage;
  } catch (const std::exception& e) {
    err << program << ": error: " << e.what() << "\n";
    return failed;
  }
}

// The device a --device value names, checked before any work so that a bad choice costs nothing.
inline std::string device_flag(const std::string& requested) {
  try {
    return resolve_device(requested);
  } catch (const device_unavailable& e) {
    throw usage_error(e.what());
  }
}

struct command {
  std::string name, summary;
  std::function<int(const std::vector<std::string>& args, std::ostream& out, std::ostream& err)> run;  // args after the name
};

// A program of commands: `program COMMAND [options]`, `program --help` lists the commands.
inline int run_commands(const std::string& program, const std::string& about, const std::vector<command>& commands,
                        const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  const auto usage = [&] {
    std::string u = "usage: " + program + " COMMAND [options]\n\n" + about + "\n\n";
    for (const auto& c : commands) u += "  " + c.name + std::string(c.name.size() < 10 ? 10 - c.name.size() : 1, ' ') + c.summary + "\n";
    return u + "\n" + program + " COMMAND --help describes each.\n";
  };
  const std::string name = args.empty() ? "" : args[0];
  if (name == "--help" || name == "-h" || name == "help") {
    out << usage();
    return done;
  }
  for (const auto& c : commands)
    if (c.name == name) return c.run(std::vector<std::string>(args.begin() + 1, args.end()), out, err);
  err << program << ": " << (name.empty() ? "no command given" : "unknown command '" + name + "'") << "\n\n" << usage();
  return bad_usage;
}

}  // namespace acne::cli
