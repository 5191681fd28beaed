// Delve's api.Variable printers (service/api/prettyprint.go writeTo and
// friends), reproduced byte for byte.
#include "gotrace/values/variable.h"

#include "go_format.h"

namespace gotrace::values {

using symbols::Kind;

namespace {

// Strings longer than this make a struct or array print on several lines.
constexpr size_t kMaxShortStringLen = 7;
constexpr std::string_view kIndent = "\t";

enum Flags : unsigned {
  kTop = 1,
  kNewlines = 2,
  kIncludeType = 4,
};

unsigned with(unsigned flags, unsigned flag, bool on) {
  return on ? (flags | flag) : (flags & ~flag);
}

// Go's %q of a type name: used when the name has a package path with '/'.
std::string quoted_type_if_path(const std::string& type) {
  return type.find('/') != std::string::npos ? detail::go_quote(type) : type;
}

struct RecursiveKind {
  Kind kind;
  bool has_ptr;
};

RecursiveKind recursive_kind(const Variable* v) {
  bool has_ptr = false;
  while (v->kind == Kind::pointer) {
    has_ptr = true;
    if (v->children.empty()) return {Kind::pointer, true};
    v = &v->children[0];
  }
  return {v->kind, has_ptr};
}

bool should_newline_array(const Variable& v, bool newlines) {
  if (!newlines || v.children.empty()) return false;
  RecursiveKind rk = recursive_kind(&v.children[0]);
  switch (rk.kind) {
    case Kind::slice:
    case Kind::array:
    case Kind::struct_:
    case Kind::map:
    case Kind::interface:
      return true;
    case Kind::string:
      if (rk.has_ptr) return true;
      for (const auto& c : v.children)
        if (c.value.size() > kMaxShortStringLen) return true;
      return false;
    default:
      return false;
  }
}

bool should_newline_struct(const Variable& v, bool newlines) {
  if (!newlines || v.children.empty()) return false;
  for (const auto& c : v.children) {
    RecursiveKind rk = recursive_kind(&c);
    switch (rk.kind) {
      case Kind::slice:
      case Kind::array:
      case Kind::struct_:
      case Kind::map:
      case Kind::interface:
        return true;
      case Kind::string:
        if (rk.has_ptr) return true;
        if (c.value.size() > kMaxShortStringLen) return true;
        break;
      default:
        break;
    }
  }
  return false;
}

class Printer {
 public:
  std::string out;

  void write(const Variable& v, unsigned flags, const std::string& indent) {
    if (!v.unreadable.empty()) {
      out += "(unreadable " + v.unreadable + ")";
      return;
    }
    if (!(flags & kTop) && v.addr == 0 && v.value.empty()) {
      if ((flags & kIncludeType) && v.type != "void")
        out += v.type + " nil";
      else
        out += "nil";
      return;
    }
    switch (v.kind) {
      case Kind::slice: write_slice(v, flags, indent); break;
      case Kind::array: write_array(v, flags, indent); break;
      case Kind::pointer:
        if (v.type.empty() || v.children.empty()) {
          out += "nil";
        } else if (v.children[0].only_addr && v.children[0].addr != 0) {
          write_pointer(v);
        } else {
          if ((flags & kTop) && (flags & kNewlines) && v.children[0].addr != 0) {
            write_pointer(v);
            out += "\n";
          }
          out += "*";
          write(v.children[0], with(flags, kTop, false), indent);
        }
        break;
      case Kind::unsafe_pointer:
        if (v.children.empty())
          out += "unsafe.Pointer(nil)";
        else
          out += "unsafe.Pointer(" + detail::hex(v.children[0].addr) + ")";
        break;
      case Kind::chan:
        if (flags & kNewlines) {
          write_struct(v, flags, indent);
        } else if (v.children.size() < 2) {
          out += v.type + " nil";
        } else {
          out += v.type + " " + v.children[0].value + "/" + v.children[1].value;
        }
        break;
      case Kind::struct_:
        if (!v.value.empty()) {
          out += v.type + "(" + v.value + ")";
          flags = with(flags, kIncludeType, false);
        }
        write_struct(v, flags, indent);
        break;
      case Kind::interface: write_interface(v, flags, indent); break;
      case Kind::map: write_map(v, flags, indent); break;
      case Kind::func:
        if (v.value.empty()) {
          out += "nil";
        } else {
          out += v.value;
          if ((flags & kNewlines) && !v.children.empty()) {
            out += " {\n";
            for (const auto& c : v.children) {
              out += indent;
              out += kIndent;
              out += c.name + " " + c.type + " = ";
              write(c, 0, indent + std::string(kIndent));
              out += "\n";
            }
            out += indent + "}";
          }
        }
        break;
      default: write_basic(v); break;
    }
  }

 private:
  void write_pointer(const Variable& v) {
    out += "(" + quoted_type_if_path(v.type) + ")(" +
           detail::hex(v.children[0].addr) + ")";
  }

  void write_interface(const Variable& v, unsigned flags, const std::string& indent) {
    if (v.addr == 0) {
      // An escaped interface variable that points to nil.
      out += "nil";
      return;
    }
    if (v.children.empty()) {
      out += "nil";
      return;
    }
    const Variable& data = v.children[0];
    if (flags & kIncludeType) {
      if (data.kind == Kind::invalid) {
        out += v.type + " ";
        if (data.addr == 0) {
          out += "nil";
          return;
        }
      } else {
        out += v.type + "(" + data.type + ") ";
      }
    }
    const unsigned child_flags =
        with(with(flags, kTop, false), kIncludeType, !(flags & kIncludeType));
    if (data.kind == Kind::pointer) {
      if (data.children.empty()) {
        out += "...";
      } else if (data.children[0].addr == 0) {
        out += "nil";
      } else if (data.children[0].only_addr) {
        // Delve prints the address of the data word, not the pointer in it.
        out += detail::hex(data.addr);
      } else {
        write(data, child_flags, indent);
      }
    } else if (data.only_addr) {
      out += "*(*" + quoted_type_if_path(v.type) + ")(" + detail::hex(v.addr) + ")";
    } else {
      write(data, child_flags, indent);
    }
  }

  void write_basic(const Variable& v) {
    if (v.value.empty() && v.kind != Kind::string) {
      out += "(unknown ";
      out += detail::kind_name(v.kind);
      out += ")";
      return;
    }
    switch (v.kind) {
      case Kind::complex64:
      case Kind::complex128:
        if (v.children.size() >= 2)
          out += "(" + v.children[0].value + " + " + v.children[1].value + "i)";
        else
          out += v.value;
        break;
      case Kind::string: {
        std::string s = v.value;
        if (static_cast<int64_t>(s.size()) != v.len)
          s += "...+" + std::to_string(v.len - static_cast<int64_t>(s.size())) + " more";
        out += detail::go_quote(s);
        break;
      }
      default: out += v.value; break;
    }
  }

  void write_slice(const Variable& v, unsigned flags, const std::string& indent) {
    if (flags & kIncludeType)
      out += v.type + " len: " + std::to_string(v.len) +
             ", cap: " + std::to_string(v.cap) + ", ";
    if (v.base == 0 && v.children.empty()) {
      out += "nil";
      return;
    }
    write_slice_or_array(v, flags, indent);
  }

  void write_array(const Variable& v, unsigned flags, const std::string& indent) {
    if (flags & kIncludeType) out += v.type + " ";
    write_slice_or_array(v, flags, indent);
  }

  void write_struct(const Variable& v, unsigned flags, const std::string& indent) {
    if (static_cast<int64_t>(v.children.size()) != v.len && v.children.empty()) {
      out += "(*" + quoted_type_if_path(v.type) + ")(" + detail::hex(v.addr) + ")";
      return;
    }
    if (flags & kIncludeType) out += v.type + " ";
    const bool nl = should_newline_struct(v, flags & kNewlines);
    const std::string child_indent = indent + std::string(kIndent);
    out += "{";
    for (size_t i = 0; i < v.children.size(); ++i) {
      if (nl) out += "\n" + child_indent;
      out += v.children[i].name + ": ";
      write(v.children[i], with(kIncludeType, kNewlines, nl), child_indent);
      if (i != v.children.size() - 1 || nl) {
        out += ",";
        if (!nl) out += " ";
      }
    }
    if (static_cast<int64_t>(v.children.size()) != v.len) {
      if (nl)
        out += "\n" + child_indent;
      else
        out += ",";
      out += "...+" + std::to_string(v.len - static_cast<int64_t>(v.children.size())) + " more";
    }
    out += "}";
  }

  void write_map(const Variable& v, unsigned flags, const std::string& indent) {
    if (flags & kIncludeType) out += v.type + " ";
    if (v.base == 0 && v.children.empty()) {
      out += "nil";
      return;
    }
    const bool nl = (flags & kNewlines) && !v.children.empty();
    const std::string child_indent = indent + std::string(kIndent);
    out += "[";
    for (size_t i = 0; i + 1 < v.children.size(); i += 2) {
      if (nl) out += "\n" + child_indent;
      write(v.children[i], 0, child_indent);
      out += ": ";
      write(v.children[i + 1], with(0, kNewlines, nl), child_indent);
      if (i != v.children.size() - 1 || nl) out += ", ";
    }
    const int64_t pairs = static_cast<int64_t>(v.children.size() / 2);
    if (pairs != v.len) {
      if (!v.children.empty()) {
        if (nl)
          out += "\n" + child_indent;
        else
          out += ",";
        out += "...+" + std::to_string(v.len - pairs) + " more";
      } else {
        out += "...";
      }
    }
    if (nl) out += "\n" + indent;
    out += "]";
  }

  void write_slice_or_array(const Variable& v, unsigned flags, const std::string& indent) {
    const bool nl = should_newline_array(v, flags & kNewlines);
    const std::string child_indent = indent + std::string(kIndent);
    out += "[";
    for (size_t i = 0; i < v.children.size(); ++i) {
      if (nl) out += "\n" + child_indent;
      write(v.children[i], with(0, kNewlines, nl), child_indent);
      if (i != v.children.size() - 1 || nl) out += ",";
    }
    if (static_cast<int64_t>(v.children.size()) != v.len) {
      if (!v.children.empty()) {
        if (nl)
          out += "\n" + child_indent;
        else
          out += ",";
        out += "...+" + std::to_string(v.len - static_cast<int64_t>(v.children.size())) + " more";
      } else {
        out += "...";
      }
    }
    if (nl) out += "\n" + indent;
    out += "]";
  }
};

}  // namespace

std::string single_line(const Variable& v) {
  Printer p;
  p.write(v, kTop | kIncludeType, "");
  return std::move(p.out);
}

std::string multi_line(const Variable& v, const std::string& indent) {
  Printer p;
  p.write(v, kTop | kNewlines | kIncludeType, indent);
  return std::move(p.out);
}

}  // namespace gotrace::values
