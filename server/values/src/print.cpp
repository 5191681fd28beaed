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

// Writes into one string, appending piece by piece: a trace line is built
// at every hit, and a temporary string per value or separator was most of
// its cost. The indent grows by a tab per nested multi-line level.
class Printer {
 public:
  Printer(std::string& out, std::string_view indent) : out(out), indent_(indent) {}

  void write(const Variable& v, unsigned flags) {
    if (!v.unreadable.empty()) {
      out += "(unreadable ";
      out += v.unreadable;
      out += ')';
      return;
    }
    if (!(flags & kTop) && v.addr == 0 && v.value.empty()) {
      if ((flags & kIncludeType) && v.type != "void") {
        out += v.type;
        out += " nil";
      } else {
        out += "nil";
      }
      return;
    }
    switch (v.kind) {
      case Kind::slice: write_slice(v, flags); break;
      case Kind::array: write_array(v, flags); break;
      case Kind::pointer:
        if (v.type.empty() || v.children.empty()) {
          out += "nil";
        } else if (v.children[0].only_addr && v.children[0].addr != 0) {
          write_pointer(v);
        } else {
          if ((flags & kTop) && (flags & kNewlines) && v.children[0].addr != 0) {
            write_pointer(v);
            out += '\n';
          }
          out += '*';
          write(v.children[0], with(flags, kTop, false));
        }
        break;
      case Kind::unsafe_pointer:
        if (v.children.empty()) {
          out += "unsafe.Pointer(nil)";
        } else {
          out += "unsafe.Pointer(";
          detail::append_hex_number(out, v.children[0].addr);
          out += ')';
        }
        break;
      case Kind::chan:
        if (flags & kNewlines) {
          write_struct(v, flags);
        } else if (v.children.size() < 2) {
          out += v.type;
          out += " nil";
        } else {
          out += v.type;
          out += ' ';
          out += v.children[0].value;
          out += '/';
          out += v.children[1].value;
        }
        break;
      case Kind::struct_:
        if (!v.value.empty()) {
          out += v.type;
          out += '(';
          out += v.value;
          out += ')';
          flags = with(flags, kIncludeType, false);
        }
        write_struct(v, flags);
        break;
      case Kind::interface: write_interface(v, flags); break;
      case Kind::map: write_map(v, flags); break;
      case Kind::func:
        if (v.value.empty()) {
          out += "nil";
        } else {
          out += v.value;
          if ((flags & kNewlines) && !v.children.empty()) {
            out += " {\n";
            for (const auto& c : v.children) {
              out += indent_;
              out += kIndent;
              out += c.name;
              out += ' ';
              out += c.type;
              out += " = ";
              nested([&] { write(c, 0); });
              out += '\n';
            }
            out += indent_;
            out += '}';
          }
        }
        break;
      default: write_basic(v); break;
    }
  }

 private:
  std::string& out;
  std::string indent_;

  // Runs `f` one indent level deeper.
  template <class F>
  void nested(F&& f) {
    indent_ += kIndent;
    f();
    indent_.resize(indent_.size() - kIndent.size());
  }

  void newline_child_indent() {
    out += '\n';
    out += indent_;
    out += kIndent;
  }

  void more(int64_t n) {
    out += "...+";
    out += std::to_string(n);
    out += " more";
  }

  void type_name_quoted_if_path(const std::string& type) {
    if (type.find('/') != std::string::npos) {
      out += '"';
      detail::append_go_quote_body(out, type);
      out += '"';
    } else {
      out += type;
    }
  }

  void write_pointer(const Variable& v) {
    out += '(';
    type_name_quoted_if_path(v.type);
    out += ")(";
    detail::append_hex_number(out, v.children[0].addr);
    out += ')';
  }

  void write_interface(const Variable& v, unsigned flags) {
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
        out += v.type;
        out += ' ';
        if (data.addr == 0) {
          out += "nil";
          return;
        }
      } else {
        out += v.type;
        out += '(';
        out += data.type;
        out += ") ";
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
        detail::append_hex_number(out, data.addr);
      } else {
        write(data, child_flags);
      }
    } else if (data.only_addr) {
      out += "*(*";
      type_name_quoted_if_path(v.type);
      out += ")(";
      detail::append_hex_number(out, v.addr);
      out += ')';
    } else {
      write(data, child_flags);
    }
  }

  void write_basic(const Variable& v) {
    if (v.value.empty() && v.kind != Kind::string) {
      out += "(unknown ";
      out += detail::kind_name(v.kind);
      out += ')';
      return;
    }
    switch (v.kind) {
      case Kind::complex64:
      case Kind::complex128:
        if (v.children.size() >= 2) {
          out += '(';
          out += v.children[0].value;
          out += " + ";
          out += v.children[1].value;
          out += "i)";
        } else {
          out += v.value;
        }
        break;
      case Kind::string:
        out += '"';
        detail::append_go_quote_body(out, v.value);
        // The count of the bytes left out is inside the quotes, as Delve's.
        if (static_cast<int64_t>(v.value.size()) != v.len)
          more(v.len - static_cast<int64_t>(v.value.size()));
        out += '"';
        break;
      default: out += v.value; break;
    }
  }

  void write_slice(const Variable& v, unsigned flags) {
    if (flags & kIncludeType) {
      out += v.type;
      out += " len: ";
      out += std::to_string(v.len);
      out += ", cap: ";
      out += std::to_string(v.cap);
      out += ", ";
    }
    if (v.base == 0 && v.children.empty()) {
      out += "nil";
      return;
    }
    write_slice_or_array(v, flags);
  }

  void write_array(const Variable& v, unsigned flags) {
    if (flags & kIncludeType) {
      out += v.type;
      out += ' ';
    }
    write_slice_or_array(v, flags);
  }

  void write_struct(const Variable& v, unsigned flags) {
    if (static_cast<int64_t>(v.children.size()) != v.len && v.children.empty()) {
      out += "(*";
      type_name_quoted_if_path(v.type);
      out += ")(";
      detail::append_hex_number(out, v.addr);
      out += ')';
      return;
    }
    if (flags & kIncludeType) {
      out += v.type;
      out += ' ';
    }
    const bool nl = should_newline_struct(v, flags & kNewlines);
    out += '{';
    for (size_t i = 0; i < v.children.size(); ++i) {
      if (nl) newline_child_indent();
      out += v.children[i].name;
      out += ": ";
      nested([&] { write(v.children[i], with(kIncludeType, kNewlines, nl)); });
      if (i != v.children.size() - 1 || nl) {
        out += ',';
        if (!nl) out += ' ';
      }
    }
    if (static_cast<int64_t>(v.children.size()) != v.len) {
      if (nl)
        newline_child_indent();
      else
        out += ',';
      more(v.len - static_cast<int64_t>(v.children.size()));
    }
    out += '}';
  }

  void write_map(const Variable& v, unsigned flags) {
    if (flags & kIncludeType) {
      out += v.type;
      out += ' ';
    }
    if (v.base == 0 && v.children.empty()) {
      out += "nil";
      return;
    }
    const bool nl = (flags & kNewlines) && !v.children.empty();
    out += '[';
    for (size_t i = 0; i + 1 < v.children.size(); i += 2) {
      if (nl) newline_child_indent();
      nested([&] {
        write(v.children[i], 0);
        out += ": ";
        write(v.children[i + 1], with(0, kNewlines, nl));
      });
      if (i != v.children.size() - 1 || nl) out += ", ";
    }
    const int64_t pairs = static_cast<int64_t>(v.children.size() / 2);
    if (pairs != v.len) {
      if (!v.children.empty()) {
        if (nl)
          newline_child_indent();
        else
          out += ',';
        more(v.len - pairs);
      } else {
        out += "...";
      }
    }
    if (nl) {
      out += '\n';
      out += indent_;
    }
    out += ']';
  }

  void write_slice_or_array(const Variable& v, unsigned flags) {
    const bool nl = should_newline_array(v, flags & kNewlines);
    out += '[';
    for (size_t i = 0; i < v.children.size(); ++i) {
      if (nl) newline_child_indent();
      nested([&] { write(v.children[i], with(0, kNewlines, nl)); });
      if (i != v.children.size() - 1 || nl) out += ',';
    }
    if (static_cast<int64_t>(v.children.size()) != v.len) {
      if (!v.children.empty()) {
        if (nl)
          newline_child_indent();
        else
          out += ',';
        more(v.len - static_cast<int64_t>(v.children.size()));
      } else {
        out += "...";
      }
    }
    if (nl) {
      out += '\n';
      out += indent_;
    }
    out += ']';
  }
};

}  // namespace

void append_single_line(std::string& out, const Variable& v) {
  Printer(out, "").write(v, kTop | kIncludeType);
}

void append_multi_line(std::string& out, const Variable& v, std::string_view indent) {
  Printer(out, indent).write(v, kTop | kNewlines | kIncludeType);
}

std::string single_line(const Variable& v) {
  std::string out;
  append_single_line(out, v);
  return out;
}

std::string multi_line(const Variable& v, const std::string& indent) {
  std::string out;
  append_multi_line(out, v, indent);
  return out;
}

}  // namespace gotrace::values
