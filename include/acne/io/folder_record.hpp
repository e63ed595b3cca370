#pragma once
// The options that made a folder's contents, kept beside them (DIR/made_with.json, or a record name of
// the caller's where that folder must hold nothing else), so that a rerun reuses a folder only when
// it would make the same thing: claim_folder() writes the record for a new folder, accepts a folder
// whose record matches, and refuses one made with other options, naming each option that differs,
// before anything in it is read or overwritten.
#include <filesystem>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "acne/error.hpp"
#include "acne/io/report.hpp"

namespace acne::io {

inline constexpr const char* default_record_name = "made_with.json";

// "key: was X, now Y" for every option whose value differs between two records, one per line.
inline std::string record_differences(const nlohmann::json& was, const nlohmann::json& now) {
  std::ostringstream out;
  for (const auto& op : nlohmann::json::diff(was, now)) {
    const nlohmann::json::json_pointer at(op.at("path").get<std::string>());
    out << "\n  " << at.to_string() << ": ";
    if (was.contains(at)) out << "was " << was.at(at).dump();
    else out << "absent before";
    out << ", now ";
    if (now.contains(at)) out << now.at(at).dump();
    else out << "absent";
  }
  return out.str();
}

// `what` names the folder's contents in the error ("the prepared faces"); the record is
// record_dir/record_name, record_dir being `dir` unless given.
inline void claim_folder(const std::filesystem::path& dir, const nlohmann::json& options, const std::string& what,
                         const std::filesystem::path& record_dir = {}, const std::string& record_name = default_record_name) {
  const auto record = (record_dir.empty() ? dir : record_dir) / record_name;
  if (std::filesystem::exists(record)) {
    const auto was = read_json_file(record);
    ACNE_CHECK(was == options, what << " in " << dir.string() << " were made with other options:"
                                    << record_differences(was, options)
                                    << "\nuse another output folder, or delete " << dir.string() << " to make them again");
    return;
  }
  std::filesystem::create_directories(dir);
  write_json_file(record, options);  // creates record_dir too
}

}  // namespace acne::io
