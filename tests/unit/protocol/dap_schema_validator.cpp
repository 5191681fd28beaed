#include "dap_schema_validator.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace gotrace::protocol::dap::testing {
namespace json = boost::json;

namespace {

std::optional<json::value> read_json_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  boost::system::error_code ec;
  json::value v = json::parse(ss.str(), ec);
  if (ec) return std::nullopt;
  return v;
}

bool is_integer(const json::value& v) {
  if (v.is_int64() || v.is_uint64()) return true;
  return v.is_double() && std::trunc(v.get_double()) == v.get_double();
}

double as_number(const json::value& v) {
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  return v.get_double();
}

bool has_type(const json::value& v, std::string_view t) {
  if (t == "null") return v.is_null();
  if (t == "boolean") return v.is_bool();
  if (t == "integer") return is_integer(v);
  if (t == "number") return v.is_number();
  if (t == "string") return v.is_string();
  if (t == "array") return v.is_array();
  if (t == "object") return v.is_object();
  return false;
}

}  // namespace

std::string dap_schema_errors(const boost::json::value& v, std::string_view def) {
  static const std::optional<SchemaValidator> schema = SchemaValidator::load_dap();
  if (!schema) return "debugAdapterProtocol.json not found";
  std::string out;
  for (const auto& e : schema->validate(v, def)) out += e + "\n";
  return out;
}

std::optional<SchemaValidator> SchemaValidator::load_dap() {
  std::vector<std::string> candidates;
  if (const char* env = std::getenv("GOTRACE_DAP_SCHEMA")) candidates.emplace_back(env);
#ifdef GOTRACE_SOURCE_DIR
  candidates.emplace_back(std::string(GOTRACE_SOURCE_DIR) + "/tests/unit/protocol/testdata/debugAdapterProtocol.json");
#endif
  candidates.emplace_back("/work/shared/reference/dap/debugAdapterProtocol.json");
  for (const auto& c : candidates) {
    if (auto v = read_json_file(c)) return SchemaValidator(std::move(*v));
  }
  return std::nullopt;
}

const json::value* SchemaValidator::resolve(std::string_view ref) const {
  constexpr std::string_view prefix = "#/definitions/";
  if (!ref.starts_with(prefix) || !root_.is_object()) return nullptr;
  const json::value* defs = root_.get_object().if_contains("definitions");
  if (defs == nullptr || !defs->is_object()) return nullptr;
  return defs->get_object().if_contains(ref.substr(prefix.size()));
}

std::vector<std::string> SchemaValidator::validate(const json::value& instance, std::string_view definition) const {
  std::vector<std::string> errors;
  const json::value* schema = resolve("#/definitions/" + std::string(definition));
  if (schema == nullptr) {
    errors.push_back("no definition \"" + std::string(definition) + "\"");
    return errors;
  }
  check(instance, *schema, "$", errors, 0);
  return errors;
}

void SchemaValidator::check(const json::value& inst, const json::value& schema, const std::string& path,
                            std::vector<std::string>& errors, int depth) const {
  if (depth > 64) {
    errors.push_back(path + ": schema nesting too deep");
    return;
  }
  if (schema.is_bool()) {
    if (!schema.get_bool()) errors.push_back(path + ": not allowed");
    return;
  }
  if (!schema.is_object()) return;
  const json::object& s = schema.get_object();

  if (const json::value* ref = s.if_contains("$ref")) {
    const json::value* target = ref->is_string() ? resolve(ref->get_string()) : nullptr;
    if (target == nullptr) {
      errors.push_back(path + ": unresolved $ref");
      return;
    }
    check(inst, *target, path, errors, depth + 1);
  }
  if (const json::value* all = s.if_contains("allOf"); all && all->is_array()) {
    for (const auto& sub : all->get_array()) check(inst, sub, path, errors, depth + 1);
  }
  if (const json::value* one = s.if_contains("oneOf"); one && one->is_array()) {
    int matches = 0;
    for (const auto& sub : one->get_array()) {
      std::vector<std::string> sub_errors;
      check(inst, sub, path, sub_errors, depth + 1);
      if (sub_errors.empty()) ++matches;
    }
    if (matches != 1) errors.push_back(path + ": matches " + std::to_string(matches) + " oneOf alternatives");
  }
  if (const json::value* type = s.if_contains("type")) {
    bool ok = false;
    std::string names;
    if (type->is_string()) {
      ok = has_type(inst, type->get_string());
      names = type->get_string();
    } else if (type->is_array()) {
      for (const auto& t : type->get_array()) {
        if (!t.is_string()) continue;
        ok = ok || has_type(inst, t.get_string());
        names += (names.empty() ? "" : "|") + std::string(t.get_string());
      }
    }
    if (!ok) {
      errors.push_back(path + ": expected type " + names + ", got " + json::serialize(inst).substr(0, 80));
      return;
    }
  }
  if (const json::value* en = s.if_contains("enum"); en && en->is_array()) {
    bool found = false;
    for (const auto& e : en->get_array()) found = found || e == inst;
    if (!found) errors.push_back(path + ": " + json::serialize(inst).substr(0, 80) + " not in enum " +
                                 json::serialize(*en));
  }
  if (inst.is_number()) {
    if (const json::value* mn = s.if_contains("minimum"); mn && mn->is_number() && as_number(inst) < as_number(*mn))
      errors.push_back(path + ": below minimum " + json::serialize(*mn));
    if (const json::value* mx = s.if_contains("maximum"); mx && mx->is_number() && as_number(inst) > as_number(*mx))
      errors.push_back(path + ": above maximum " + json::serialize(*mx));
  }
  if (inst.is_object()) {
    const json::object& o = inst.get_object();
    if (const json::value* req = s.if_contains("required"); req && req->is_array()) {
      for (const auto& r : req->get_array()) {
        if (r.is_string() && !o.contains(r.get_string()))
          errors.push_back(path + ": missing required property \"" + std::string(r.get_string()) + "\"");
      }
    }
    const json::object* props = nullptr;
    if (const json::value* p = s.if_contains("properties"); p && p->is_object()) props = &p->get_object();
    const json::value* additional = s.if_contains("additionalProperties");
    for (const auto& kv : o) {
      std::string child = path + "." + std::string(kv.key());
      if (props != nullptr) {
        if (const json::value* ps = props->if_contains(kv.key())) {
          check(kv.value(), *ps, child, errors, depth + 1);
          continue;
        }
      }
      if (additional != nullptr) check(kv.value(), *additional, child, errors, depth + 1);
    }
  }
  if (inst.is_array()) {
    if (const json::value* items = s.if_contains("items")) {
      const json::array& a = inst.get_array();
      for (std::size_t i = 0; i < a.size(); ++i)
        check(a[i], *items, path + "[" + std::to_string(i) + "]", errors, depth + 1);
    }
  }
}

}  // namespace gotrace::protocol::dap::testing
