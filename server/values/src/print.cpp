// Delve's api.Variable printers (service/api/prettyprint.go writeTo and
// friends, Delve 1.27.2), reproduced byte for byte.
#include "gotrace/values/variable.h"

#include "go_format.h"
#include "gotrace/values/trace_format.h"

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
  kShortenType = 8,  // PrettyShortenType: types without their package path
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
        type_str(v, flags);
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
          write_pointer(v, flags);
        } else {
          if ((flags & kTop) && (flags & kNewlines) && v.children[0].addr != 0) {
            write_pointer(v, flags);
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
          type_str(v, flags);
          out += " nil";
        } else {
          type_str(v, flags);
          out += ' ';
          out += v.children[0].value;
          out += '/';
          out += v.children[1].value;
        }
        break;
      case Kind::struct_:
        if (!v.value.empty()) {
          type_str(v, flags);
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
              type_str(c, flags);
              out += " = ";
              nested([&] { write(c, flags & ~(kTop | kIncludeType)); });
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

  // typeStr: the type, shortened under kShortenType.
  void type_str(const Variable& v, unsigned flags) {
    if (flags & kShortenType)
      out += shorten_type(v.type);
    else
      out += v.type;
  }

  // %q of the (maybe shortened) type when the full name has a '/'.
  void type_name_quoted_if_path(const Variable& v, unsigned flags) {
    if (v.type.find('/') != std::string::npos) {
      out += '"';
      detail::append_go_quote_body(out, flags & kShortenType ? shorten_type(v.type) : v.type);
      out += '"';
    } else {
      type_str(v, flags);
    }
  }

  void write_pointer(const Variable& v, unsigned flags) {
    out += '(';
    type_name_quoted_if_path(v, flags);
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
        type_str(v, flags);
        out += ' ';
        if (data.addr == 0) {
          out += "nil";
          return;
        }
      } else {
        type_str(v, flags);
        out += '(';
        type_str(data, flags);
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
      type_name_quoted_if_path(v, flags);
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
      type_str(v, flags);
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
      type_str(v, flags);
      out += ' ';
    }
    write_slice_or_array(v, flags);
  }

  void write_struct(const Variable& v, unsigned flags) {
    if (static_cast<int64_t>(v.children.size()) != v.len && v.children.empty()) {
      out += "(*";
      type_name_quoted_if_path(v, flags);
      out += ")(";
      detail::append_hex_number(out, v.addr);
      out += ')';
      return;
    }
    if (flags & kIncludeType) {
      type_str(v, flags);
      out += ' ';
    }
    const bool nl = should_newline_struct(v, flags & kNewlines);
    out += '{';
    for (size_t i = 0; i < v.children.size(); ++i) {
      if (nl) newline_child_indent();
      out += v.children[i].name;
      out += ": ";
      nested([&] { write(v.children[i], with(kIncludeType | (flags & kShortenType), kNewlines, nl)); });
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
      type_str(v, flags);
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
        write(v.children[i + 1], with(flags & kShortenType, kNewlines, nl));
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
      nested([&] { write(v.children[i], with(flags & kShortenType, kNewlines, nl)); });
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

void append_trace_value(std::string& out, const Variable& v, int verbosity) {
  switch (verbosity) {
    case 0: Printer(out, "").write(v, kTop | kIncludeType); return;
    case 1:
      out += '<';
      out += shorten_type(v.type);
      out += '>';
      return;
    case 2: Printer(out, "").write(v, kTop | kIncludeType | kShortenType); return;
    case 3:
    case 4: Printer(out, "").write(v, kTop | kIncludeType | kShortenType | kNewlines); return;
    default: out += v.value; return;
  }
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
