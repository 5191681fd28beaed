#include "gotrace/debugger/condition.h"

#include <cctype>
#include <charconv>
#include <functional>
#include <optional>
#include <variant>

namespace gotrace::debugger {

struct Condition::Node {
  enum class Op { lit_int, lit_float, lit_str, lit_bool, lit_nil, ident, len, not_, and_, or_, cmp, arith, neg };
  Op op;
  std::string text;  // ident path / string literal / comparison operator
  int64_t num = 0;
  bool b = false;
  std::shared_ptr<const Node> l, r;
  double real = 0;
};

namespace {

using Node = Condition::Node;
using NodeP = std::shared_ptr<const Node>;

class Parser {
 public:
  explicit Parser(const std::string& s) : s_(s) {}

  Result<NodeP> parse() {
    auto n = parse_or();
    if (!n) return n;
    skip();
    if (i_ != s_.size()) return fail("unexpected \"" + s_.substr(i_) + "\"");
    return n;
  }

 private:
  Error fail(const std::string& what) const {
    return make_error(Errc::invalid_argument, "invalid condition \"" + s_ + "\": " + what);
  }
  void skip() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) i_++;
  }
  bool eat(std::string_view tok) {
    skip();
    if (s_.compare(i_, tok.size(), tok) == 0) {
      i_ += tok.size();
      return true;
    }
    return false;
  }
  Result<NodeP> parse_or() {
    auto l = parse_and();
    if (!l) return l;
    NodeP left = *l;
    while (eat("||")) {
      auto r = parse_and();
      if (!r) return r;
      left = std::make_shared<Node>(Node{Node::Op::or_, "", 0, false, left, *r});
    }
    return left;
  }
  Result<NodeP> parse_and() {
    auto l = parse_cmp();
    if (!l) return l;
    NodeP left = *l;
    while (eat("&&")) {
      auto r = parse_cmp();
      if (!r) return r;
      left = std::make_shared<Node>(Node{Node::Op::and_, "", 0, false, left, *r});
    }
    return left;
  }
  Result<NodeP> parse_cmp() {
    auto l = parse_additive();
    if (!l) return l;
    for (std::string_view op : {"==", "!=", "<=", ">=", "<", ">"}) {
      if (eat(op)) {
        auto r = parse_additive();
        if (!r) return r;
        return std::make_shared<Node>(Node{Node::Op::cmp, std::string(op), 0, false, *l, *r});
      }
    }
    return l;
  }
  // Go's precedence: + - above the comparisons, * / % above + -; each a
  // left-associative chain of the level below.
  Result<NodeP> parse_additive() { return parse_arith("+-", &Parser::parse_multiplicative); }
  Result<NodeP> parse_multiplicative() { return parse_arith("*/%", &Parser::parse_unary); }
  Result<NodeP> parse_arith(std::string_view ops, Result<NodeP> (Parser::*operand)()) {
    auto l = (this->*operand)();
    if (!l) return l;
    NodeP left = *l;
    for (;;) {
      skip();
      if (i_ >= s_.size() || ops.find(s_[i_]) == std::string_view::npos) return left;
      std::string op(1, s_[i_++]);
      auto r = (this->*operand)();
      if (!r) return r;
      left = std::make_shared<Node>(Node{Node::Op::arith, op, 0, false, left, *r});
    }
  }
  Result<NodeP> parse_unary() {
    skip();
    if (i_ + 1 < s_.size() && s_[i_] == '-' && !std::isdigit(static_cast<unsigned char>(s_[i_ + 1]))) {
      i_++;
      auto n = parse_unary();
      if (!n) return n;
      return std::make_shared<Node>(Node{Node::Op::neg, "", 0, false, *n, nullptr});
    }
    if (s_.compare(i_, 2, "!=") != 0 && eat("!")) {
      auto n = parse_unary();
      if (!n) return n;
      return std::make_shared<Node>(Node{Node::Op::not_, "", 0, false, *n, nullptr});
    }
    if (eat("(")) {
      auto n = parse_or();
      if (!n) return n;
      if (!eat(")")) return fail("missing )");
      return n;
    }
    skip();
    if (i_ >= s_.size()) return fail("unexpected end");
    char c = s_[i_];
    if (c == '"') {
      std::string out;
      for (i_++; i_ < s_.size() && s_[i_] != '"'; i_++) {
        if (s_[i_] == '\\' && i_ + 1 < s_.size()) i_++;
        out += s_[i_];
      }
      if (i_ >= s_.size()) return fail("unterminated string");
      i_++;
      return std::make_shared<Node>(Node{Node::Op::lit_str, out});
    }
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '-') {
      size_t start = i_++;
      while (i_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i_]))) i_++;
      if (i_ < s_.size() && (s_[i_] == '.' || s_[i_] == 'e' || s_[i_] == 'E')) {
        i_++;
        while (i_ < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[i_])) || s_[i_] == 'e' ||
                                  s_[i_] == 'E' || ((s_[i_] == '-' || s_[i_] == '+') && (s_[i_ - 1] == 'e' || s_[i_ - 1] == 'E'))))
          i_++;
        double d = 0;
        auto [p, ec] = std::from_chars(s_.data() + start, s_.data() + i_, d);
        if (ec != std::errc() || p != s_.data() + i_) return fail("bad number");
        Node n{Node::Op::lit_float};
        n.real = d;
        return std::make_shared<Node>(n);
      }
      int64_t v = 0;
      auto [p, ec] = std::from_chars(s_.data() + start, s_.data() + i_, v);
      if (ec != std::errc()) return fail("bad number");
      return std::make_shared<Node>(Node{Node::Op::lit_int, "", v});
    }
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '~') {
      size_t start = i_;
      while (i_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i_])) ||
                                s_[i_] == '_' || s_[i_] == '.' || s_[i_] == '~'))
        i_++;
      std::string id = s_.substr(start, i_ - start);
      if (id == "true" || id == "false")
        return std::make_shared<Node>(Node{Node::Op::lit_bool, "", 0, id == "true"});
      if (id == "nil") return std::make_shared<Node>(Node{Node::Op::lit_nil});
      if (id == "len") {
        if (!eat("(")) return fail("expected ( after len");
        skip();
        size_t a = i_;
        while (i_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i_])) ||
                                  s_[i_] == '_' || s_[i_] == '.'))
          i_++;
        std::string arg = s_.substr(a, i_ - a);
        if (arg.empty() || !eat(")")) return fail("len takes one variable");
        return std::make_shared<Node>(Node{Node::Op::len, arg});
      }
      return std::make_shared<Node>(Node{Node::Op::ident, id});
    }
    return fail(std::string("unexpected '") + c + "'");
  }

  const std::string& s_;
  size_t i_ = 0;
};

const values::Variable* lookup(const std::vector<values::Variable>& vars, const std::string& path) {
  size_t dot = path.find('.');
  std::string head = path.substr(0, dot);
  const values::Variable* v = nullptr;
  for (const auto& var : vars)
    if (var.name == head) v = &var;
  while (v && dot != std::string::npos) {
    size_t next = path.find('.', dot + 1);
    std::string field = path.substr(dot + 1, next == std::string::npos ? next : next - dot - 1);
    // Through a pointer to its target, as Go's selector does.
    if (v->kind == symbols::Kind::pointer && !v->children.empty()) v = &v->children[0];
    const values::Variable* f = nullptr;
    for (const auto& c : v->children)
      if (c.name == field) f = &c;
    v = f;
    dot = next;
  }
  return v;
}

using Value = std::variant<std::monostate, int64_t, std::string, bool, double>;

Result<Value> eval_value(const NodeP& n, const std::vector<values::Variable>& vars);

Result<Value> from_variable(const values::Variable& v, const std::string& name) {
  if (!v.unreadable.empty())
    return make_error(Errc::unsupported, name + " is unreadable: " + v.unreadable);
  using K = symbols::Kind;
  switch (v.kind) {
    case K::bool_: return Value{v.value == "true"};
    case K::string: return Value{v.value};
    case K::float32:
    case K::float64: {
      double d = 0;
      auto [p, ec] = std::from_chars(v.value.data(), v.value.data() + v.value.size(), d);
      if (ec != std::errc()) return make_error(Errc::unsupported, name + " is not a number");
      return Value{d};
    }
    case K::pointer:
    case K::map:
    case K::chan:
    case K::func:
    case K::interface:
    case K::slice:
    case K::unsafe_pointer:
      // Only comparisons with nil make sense: model nil as 0.
      return Value{static_cast<int64_t>(v.base != 0 || !v.children.empty() ? 1 : 0)};
    default: {
      int64_t x = 0;
      if (v.value.empty()) return make_error(Errc::unsupported, name + " has no scalar value");
      auto [p, ec] = std::from_chars(v.value.data(), v.value.data() + v.value.size(), x);
      if (ec != std::errc()) {
        uint64_t u = 0;
        auto [p2, ec2] = std::from_chars(v.value.data(), v.value.data() + v.value.size(), u);
        if (ec2 != std::errc()) return make_error(Errc::unsupported, name + " is not an integer");
        x = static_cast<int64_t>(u);
      }
      return Value{x};
    }
  }
}

Result<Value> eval_value(const NodeP& n, const std::vector<values::Variable>& vars) {
  switch (n->op) {
    case Node::Op::lit_int: return Value{n->num};
    case Node::Op::lit_float: return Value{n->real};
    case Node::Op::neg: {
      auto x = eval_value(n->l, vars);
      if (!x) return x.error();
      if (auto* i = std::get_if<int64_t>(&*x)) return Value{static_cast<int64_t>(0ULL - static_cast<uint64_t>(*i))};
      if (auto* d = std::get_if<double>(&*x)) return Value{-*d};
      return make_error(Errc::invalid_argument, "operator - not defined on this operand");
    }
    case Node::Op::arith: {
      auto x = eval_value(n->l, vars);
      if (!x) return x.error();
      auto y = eval_value(n->r, vars);
      if (!y) return y.error();
      // An untyped integer constant meets a float: it becomes one.
      if (std::holds_alternative<double>(*x) && std::holds_alternative<int64_t>(*y) && n->r->op == Node::Op::lit_int)
        y = Value{static_cast<double>(std::get<int64_t>(*y))};
      if (std::holds_alternative<double>(*y) && std::holds_alternative<int64_t>(*x) && n->l->op == Node::Op::lit_int)
        x = Value{static_cast<double>(std::get<int64_t>(*x))};
      if (x->index() != y->index()) return make_error(Errc::invalid_argument, "mismatched types in " + n->text);
      char op = n->text[0];
      if (auto* a = std::get_if<int64_t>(&*x)) {
        // Go's wrapping arithmetic on int64.
        uint64_t ua = static_cast<uint64_t>(*a), ub = static_cast<uint64_t>(std::get<int64_t>(*y));
        int64_t b = std::get<int64_t>(*y);
        switch (op) {
          case '+': return Value{static_cast<int64_t>(ua + ub)};
          case '-': return Value{static_cast<int64_t>(ua - ub)};
          case '*': return Value{static_cast<int64_t>(ua * ub)};
          default:
            if (b == 0) return make_error(Errc::invalid_argument, "division by zero");
            if (b == -1) return Value{op == '/' ? static_cast<int64_t>(0ULL - ua) : int64_t{0}};
            return Value{op == '/' ? *a / b : *a % b};
        }
      }
      if (auto* a = std::get_if<double>(&*x)) {
        double b = std::get<double>(*y);
        switch (op) {
          case '+': return Value{*a + b};
          case '-': return Value{*a - b};
          case '*': return Value{*a * b};
          case '/': return Value{*a / b};
          default: return make_error(Errc::invalid_argument, "operator % not defined on float");
        }
      }
      if (auto* a = std::get_if<std::string>(&*x); a && op == '+') return Value{*a + std::get<std::string>(*y)};
      return make_error(Errc::invalid_argument, std::string("operator ") + op + " not defined on these operands");
    }
    case Node::Op::lit_str: return Value{n->text};
    case Node::Op::lit_bool: return Value{n->b};
    case Node::Op::lit_nil: return Value{int64_t{0}};
    case Node::Op::ident: {
      const values::Variable* v = lookup(vars, n->text);
      if (!v) return make_error(Errc::not_found, "could not find symbol value for " + n->text);
      return from_variable(*v, n->text);
    }
    case Node::Op::len: {
      const values::Variable* v = lookup(vars, n->text);
      if (!v) return make_error(Errc::not_found, "could not find symbol value for " + n->text);
      return Value{v->len};
    }
    default: {
      auto b = [&]() -> Result<bool> {
        switch (n->op) {
          case Node::Op::not_: {
            auto x = eval_value(n->l, vars);
            if (!x) return x.error();
            if (!std::holds_alternative<bool>(*x)) return make_error(Errc::invalid_argument, "! needs a bool");
            return !std::get<bool>(*x);
          }
          case Node::Op::and_:
          case Node::Op::or_: {
            auto x = eval_value(n->l, vars);
            if (!x) return x.error();
            if (!std::holds_alternative<bool>(*x)) return make_error(Errc::invalid_argument, "&& and || need bools");
            bool lv = std::get<bool>(*x);
            if (n->op == Node::Op::and_ && !lv) return false;
            if (n->op == Node::Op::or_ && lv) return true;
            auto y = eval_value(n->r, vars);
            if (!y) return y.error();
            if (!std::holds_alternative<bool>(*y)) return make_error(Errc::invalid_argument, "&& and || need bools");
            return std::get<bool>(*y);
          }
          case Node::Op::cmp: {
            auto x = eval_value(n->l, vars);
            if (!x) return x.error();
            auto y = eval_value(n->r, vars);
            if (!y) return y.error();
            if (std::holds_alternative<double>(*x) && std::holds_alternative<int64_t>(*y))
              y = Value{static_cast<double>(std::get<int64_t>(*y))};
            if (std::holds_alternative<double>(*y) && std::holds_alternative<int64_t>(*x))
              x = Value{static_cast<double>(std::get<int64_t>(*x))};
            if (x->index() != y->index())
              return make_error(Errc::invalid_argument, "mismatched types in comparison");
            const std::string& op = n->text;
            int c = *x < *y ? -1 : (*y < *x ? 1 : 0);
            if (op == "==") return c == 0;
            if (op == "!=") return c != 0;
            if (op == "<") return c < 0;
            if (op == "<=") return c <= 0;
            if (op == ">") return c > 0;
            return c >= 0;
          }
          default:
            return make_error(Errc::internal, "bad condition node");
        }
      }();
      if (!b) return b.error();
      return Value{*b};
    }
  }
}

void collect(const NodeP& n, std::vector<std::string>& out) {
  if (!n) return;
  if (n->op == Node::Op::ident || n->op == Node::Op::len) out.push_back(n->text.substr(0, n->text.find('.')));
  collect(n->l, out);
  collect(n->r, out);
}

}  // namespace

Result<Condition> Condition::parse(const std::string& text) {
  Parser p(text);
  auto n = p.parse();
  if (!n) return n.error();
  Condition c;
  c.root_ = *n;
  return c;
}

namespace {

std::optional<tracer::KernelTerm::Op> term_op(const std::string& op, bool flipped) {
  using Op = tracer::KernelTerm::Op;
  if (op == "==") return Op::eq;
  if (op == "!=") return Op::ne;
  if (op == "<") return flipped ? Op::gt : Op::lt;
  if (op == "<=") return flipped ? Op::ge : Op::le;
  if (op == ">") return flipped ? Op::lt : Op::gt;
  if (op == ">=") return flipped ? Op::le : Op::ge;
  return std::nullopt;
}

// Appends the kernel terms of n's top-level conjuncts; clears `complete` if
// any conjunct is not one.
void conjuncts(const NodeP& n, std::vector<tracer::KernelTerm>& out, bool& complete) {
  if (!n) return;
  if (n->op == Node::Op::and_) {
    conjuncts(n->l, out, complete);
    conjuncts(n->r, out, complete);
    return;
  }
  bool was_complete = complete;
  complete = false;  // until n turns out to be a term
  if (n->op != Node::Op::cmp || !n->l || !n->r) return;
  auto is_operand = [](const NodeP& x) { return x->op == Node::Op::ident || x->op == Node::Op::len; };
  auto is_literal = [](const NodeP& x) {
    return x->op == Node::Op::lit_int || x->op == Node::Op::lit_bool || x->op == Node::Op::lit_nil;
  };
  bool flipped = false;
  NodeP var = n->l, lit = n->r;
  if (!is_operand(var) || !is_literal(lit)) {
    std::swap(var, lit);
    flipped = true;
    if (!is_operand(var) || !is_literal(lit)) return;
  }
  auto op = term_op(n->text, flipped);
  if (!op) return;
  tracer::KernelTerm t;
  t.path = var->op == Node::Op::len ? "len(" + var->text + ")" : var->text;
  t.op = *op;
  if (lit->op == Node::Op::lit_int) {
    t.literal = tracer::KernelTerm::Literal::integer;
    t.value = lit->num;
  } else if (lit->op == Node::Op::lit_bool) {
    t.literal = tracer::KernelTerm::Literal::boolean;
    t.value = lit->b ? 1 : 0;
  } else {
    t.literal = tracer::KernelTerm::Literal::nil;
  }
  out.push_back(std::move(t));
  complete = was_complete;
}

}  // namespace

std::vector<tracer::KernelTerm> Condition::kernel_terms(bool* complete) const {
  std::vector<tracer::KernelTerm> out;
  bool all = true;
  conjuncts(root_, out, all);
  if (complete) *complete = all;
  return out;
}

std::vector<std::vector<tracer::KernelTerm>> Condition::kernel_groups(bool* complete) const {
  // The top-level disjuncts, each read as a conjunction of terms.
  std::vector<NodeP> disjuncts;
  std::vector<NodeP> todo = {root_};
  while (!todo.empty()) {
    NodeP n = todo.back();
    todo.pop_back();
    if (n && n->op == Node::Op::or_) {
      todo.push_back(n->r);  // popped after l: keeps source order
      todo.push_back(n->l);
    } else {
      disjuncts.push_back(n);
    }
  }
  std::vector<std::vector<tracer::KernelTerm>> groups;
  bool all = true;
  for (const NodeP& d : disjuncts) {
    std::vector<tracer::KernelTerm> terms;
    conjuncts(d, terms, all);
    groups.push_back(std::move(terms));
  }
  if (complete) *complete = all;
  return groups;
}

std::vector<std::string> Condition::identifiers() const {
  std::vector<std::string> out;
  collect(root_, out);
  return out;
}

Result<bool> Condition::eval(const std::vector<values::Variable>& vars) const {
  auto v = eval_value(root_, vars);
  if (!v) return v.error();
  if (!std::holds_alternative<bool>(*v))
    return make_error(Errc::invalid_argument, "condition is not a boolean expression");
  return std::get<bool>(*v);
}

Result<values::Variable> evaluate_expression(const std::string& expr,
                                             const std::vector<values::Variable>& vars) {
  auto c = Condition::parse(expr);
  if (!c) return c.error();
  const Node& n = *c->root_;
  if (n.op == Node::Op::ident) {
    const values::Variable* v = lookup(vars, n.text);
    if (!v) return make_error(Errc::not_found, "could not find symbol value for " + n.text);
    values::Variable out = *v;
    out.name = expr;
    return out;
  }
  if (n.op == Node::Op::len) {
    const values::Variable* v = lookup(vars, n.text);
    if (!v) return make_error(Errc::not_found, "could not find symbol value for " + n.text);
    values::Variable out;
    out.name = expr;
    // Delve leaves the type of a len() result empty.
    out.kind = symbols::Kind::int_;
    out.flags = values::kVarConstant;
    out.value = std::to_string(v->len);
    return out;
  }
  // Anything else (arithmetic, comparisons) is computed from the values;
  // the result takes the type of the first variable it reads, as Go's
  // typed operand decides, or is an untyped constant.
  auto value = eval_value(c->root_, vars);
  if (!value) return value.error();
  values::Variable out;
  out.name = expr;
  const values::Variable* typed = nullptr;
  std::vector<std::string> ids;
  collect(c->root_, ids);
  std::function<void(const NodeP&)> first_ident = [&](const NodeP& x) {
    if (!x || typed) return;
    if (x->op == Node::Op::ident) typed = lookup(vars, x->text);
    first_ident(x->l);
    first_ident(x->r);
  };
  if (n.op == Node::Op::arith || n.op == Node::Op::neg) first_ident(c->root_);
  if (auto* i = std::get_if<int64_t>(&*value)) {
    out.kind = symbols::Kind::int_;
    out.value = std::to_string(*i);
  } else if (auto* d = std::get_if<double>(&*value)) {
    out.kind = symbols::Kind::float64;
    char buf[64];
    auto [p, ec] = std::to_chars(buf, buf + sizeof buf, *d);
    out.value.assign(buf, p);
  } else if (auto* str = std::get_if<std::string>(&*value)) {
    out.kind = symbols::Kind::string;
    out.value = *str;
    out.len = static_cast<int64_t>(str->size());
  } else if (auto* b = std::get_if<bool>(&*value)) {
    out.kind = symbols::Kind::bool_;
    out.type = out.real_type = "bool";
    out.value = *b ? "true" : "false";
    return out;
  }
  if (typed) {
    out.kind = typed->kind;
    out.type = typed->type;
    out.real_type = typed->real_type;
  } else {
    out.flags = values::kVarConstant;
  }
  return out;
}

using HitOp = tracer::KernelHitCondition::Op;

std::optional<tracer::KernelHitCondition> parse_hit_condition(const std::string& text) {
  static const std::pair<const char*, HitOp> kOps[] = {
      {">=", HitOp::ge}, {"<=", HitOp::le}, {"==", HitOp::eq}, {"!=", HitOp::ne},
      {">", HitOp::gt},  {"<", HitOp::lt},  {"%", HitOp::mod}};
  size_t i = 0;
  while (i < text.size() && text[i] == ' ') i++;
  for (auto [spelling, hit_op] : kOps) {
    std::string op = spelling;
    if (text.compare(i, op.size(), op) == 0) {
      std::string rest = text.substr(i + op.size());
      size_t a = rest.find_first_not_of(' ');
      size_t b = rest.find_last_not_of(' ');
      if (a == std::string::npos) return std::nullopt;
      rest = rest.substr(a, b - a + 1);
      uint64_t n = 0;
      auto [p, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), n);
      if (ec != std::errc() || p != rest.data() + rest.size()) return std::nullopt;
      if (hit_op == HitOp::mod && n == 0) return std::nullopt;
      tracer::KernelHitCondition h;
      h.op = hit_op;
      h.n = n;
      return h;
    }
  }
  return std::nullopt;
}

Result<void> check_hit_condition(const std::string& text) {
  if (text.empty() || parse_hit_condition(text)) return {};
  return make_error(Errc::invalid_argument,
                    "invalid hit condition \"" + text + "\": expected an operator (>, >=, <, "
                    "<=, ==, !=, %) and a number");
}

bool hit_condition_true(const std::string& text, uint64_t count) {
  auto h = parse_hit_condition(text);
  if (!h) return true;
  switch (h->op) {
    case HitOp::gt: return count > h->n;
    case HitOp::ge: return count >= h->n;
    case HitOp::lt: return count < h->n;
    case HitOp::le: return count <= h->n;
    case HitOp::eq: return count == h->n;
    case HitOp::ne: return count != h->n;
    case HitOp::mod: return count % h->n == 0;
  }
  return true;
}

}  // namespace gotrace::debugger
