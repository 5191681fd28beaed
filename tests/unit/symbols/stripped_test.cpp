// Stripped binaries (-ldflags='-s -w'): everything .gopclntab and
// .go.buildinfo give must equal what the unstripped twin (same source, same
// flags otherwise, so the same addresses) gives from .symtab and DWARF.
#include "elf_image.h"
#include "fixture.h"
#include "internal.h"

#include <cstdio>
#include <cstring>
#include <map>
#include <set>

namespace gotrace::symbols {
namespace {

using testing::ElfImage;
using testing::fixture_path;
using testing::open_cached;

using gotrace::testing::go_version;

struct Twin {
  std::string name;
  std::string stripped, full;  // paths
};

Twin twin(const std::string& name) {
  if (name == "demo_pie") return {name, fixture_path("demo-stripped-pie"), testing::variant("pie", "demo")};
  if (name == "demo_arm64") return {name, testing::variant("arm64-stripped", "demo"), fixture_path("demo-arm64-O")};
  return {name, fixture_path(name + "-stripped"), fixture_path(name + "-O")};
}

// The name .gopclntab gives a function: the linker writes "[...]" for
// everything from the first '[' to the last ']' (generic type arguments,
// array lengths in type..eq functions).
std::string pclntab_name(const std::string& name) {
  size_t open = name.find('['), close = name.rfind(']');
  if (open == std::string::npos || close == std::string::npos || close < open) return name;
  return name.substr(0, open) + "[...]" + name.substr(close + 1);
}

// Go 1.26+ tables write the linker's "·" where .symtab has "."
// (type:.eq.runtime.untracedG·7).
std::string middot_as_dot(std::string name) {
  for (size_t at = name.find("\u00b7"); at != std::string::npos; at = name.find("\u00b7", at)) name.replace(at, 2, ".");
  return name;
}

detail::PclnTable pclntab_of(const std::string& path) {
  auto file = detail::ElfFile::open(path);
  EXPECT_TRUE(file);
  static std::vector<std::unique_ptr<detail::ElfFile>> keep;  // the table points into the mapping
  keep.push_back(std::move(*file));
  auto syms = detail::read_symtab(*keep.back());
  auto t = detail::read_pclntab(*keep.back(), *syms);
  EXPECT_TRUE(t) << t.error().message;
  return std::move(*t);
}

// Go's ABIInternal frame for a signature: stack-assigned arguments, then
// results, then spill slots for the register-assigned arguments, each part
// pointer-aligned (cmd/compile/abi-internal.md). _func.args is its size.
class AbiFrame {
 public:
  explicit AbiFrame(Machine m) : max_int_(m == Machine::amd64 ? 9 : 16), max_float_(m == Machine::amd64 ? 15 : 16) {}

  uint64_t size(const Signature& sig) {
    std::vector<const Type*> spills;
    if (sig.has_dictionary) {
      ++ints_;  // the dictionary pointer, first integer register
      spill_words_ += 1;
    }
    for (const auto& p : sig.params)
      if (assign(p.type)) spills.push_back(p.type);
    stack_ = align(stack_, 8);
    ints_ = floats_ = 0;
    for (const auto& r : sig.results) assign(r.type);
    stack_ = align(stack_, 8);
    stack_ += 8 * spill_words_;
    for (const Type* t : spills) stack_ = align(stack_, t->align) + t->size;
    return align(stack_, 8);
  }

 private:
  static uint64_t align(uint64_t v, uint64_t a) { return a <= 1 ? v : (v + a - 1) / a * a; }

  // true if register-assigned.
  bool assign(const Type* t) {
    if (t->size == 0) return false;
    int ints = ints_, floats = floats_;
    if (regs(t) && ints_ <= max_int_ && floats_ <= max_float_) return true;
    ints_ = ints;
    floats_ = floats;
    stack_ = align(stack_, t->align) + t->size;
    return false;
  }

  bool regs(const Type* t) {
    switch (t->kind) {
      case Kind::float32:
      case Kind::float64: ++floats_; return true;
      case Kind::complex64:
      case Kind::complex128: floats_ += 2; return true;
      case Kind::string:
      case Kind::interface: ints_ += 2; return true;
      case Kind::slice: ints_ += 3; return true;
      case Kind::struct_:
        for (const auto& f : t->fields)
          if (!regs(f.type)) return false;
        return true;
      case Kind::array:
        if (t->array_len == 0) return true;
        if (t->array_len == 1) return regs(t->elem);
        return false;
      default:  // integers, bool, pointers, maps, chans, funcs
        ints_ += t->size > 8 ? 2 : 1;
        return true;
    }
  }

  int max_int_, max_float_;
  int ints_ = 0, floats_ = 0;
  uint64_t stack_ = 0, spill_words_ = 0;
};

class Stripped : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override { t_ = twin(GetParam()); }
  const Binary& stripped() { return open_cached(t_.stripped); }
  const Binary& full() { return open_cached(t_.full); }
  Twin t_;
};

TEST_P(Stripped, Basics) {
  EXPECT_FALSE(stripped().has_dwarf());
  EXPECT_TRUE(full().has_dwarf());
  EXPECT_EQ(stripped().go_version(), go_version());
  EXPECT_EQ(stripped().machine(), full().machine());
  EXPECT_EQ(stripped().is_pie(), full().is_pie());
  EXPECT_EQ(stripped().warnings(), std::vector<std::string>{});
  EXPECT_EQ(full().warnings(), std::vector<std::string>{});
}

// Every function both tables have is the same: name, entry, end, argument
// size. .symtab lists the assembly ones pclntab cannot tell ABIInternal
// from ABI0 (runtime.memmove, static ones like cmpbody); pclntab lists
// nothing .symtab does not.
TEST_P(Stripped, FunctionsMatchSymtab) {
  detail::PclnTable pcln = pclntab_of(t_.stripped);
  std::map<uint64_t, const Function*> by_entry;
  for (const auto& f : stripped().functions()) {
    EXPECT_TRUE(by_entry.emplace(f.entry, &f).second) << f.name;
  }
  std::set<std::string> only_in_symtab, assembly;
  size_t common = 0;
  for (const auto& f : full().functions()) {
    const detail::PclnFunction* p = pcln.function_at(f.entry);
    ASSERT_NE(p, nullptr) << f.name;
    ASSERT_EQ(p->entry, f.entry) << f.name;
    if (p->assembly) assembly.insert(f.name);
    auto it = by_entry.find(f.entry);
    if (it == by_entry.end()) {
      only_in_symtab.insert(f.name);
      continue;
    }
    ++common;
    const Function& s = *it->second;
    // Go 1.19's table names instantiations pkg.F[...]; 1.26+ keeps the
    // shapes in most names.
    if (s.name != f.name && middot_as_dot(s.name) != f.name) EXPECT_EQ(s.name, pclntab_name(f.name));
    EXPECT_EQ(s.end, f.end) << f.name;
    EXPECT_EQ(s.args_size, f.args_size) << f.name;
    EXPECT_EQ(s.args_size, p->args) << f.name;
    by_entry.erase(it);
  }
  EXPECT_EQ(only_in_symtab, assembly);
  EXPECT_TRUE(only_in_symtab.contains("runtime.memmove"));
  EXPECT_TRUE(by_entry.empty()) << by_entry.begin()->second->name;
  EXPECT_GT(common, 1000u);
  EXPECT_EQ(common, stripped().functions().size());
}

TEST_P(Stripped, LinkerMarkersAreNotFunctions) {
  for (const Function& f : stripped().functions()) EXPECT_FALSE(f.name.starts_with("go:textfips")) << f.name;
}

TEST_P(Stripped, LookupsMatchSymtab) {
  for (const char* name : {"main.main", "runtime.casgstatus", "runtime.newproc", "runtime.goexit1"}) {
    const Function* s = stripped().find_function(name);
    const Function* f = full().find_function(name);
    ASSERT_NE(s, nullptr) << name;
    ASSERT_NE(f, nullptr) << name;
    EXPECT_EQ(s->entry, f->entry) << name;
    EXPECT_EQ(s->end, f->end) << name;
    EXPECT_EQ(stripped().function_at(f->entry), s) << name;
    EXPECT_EQ(stripped().function_at(f->end - 1), s) << name;
    // Same code size; not the same bytes: -s -w records its flags in
    // .go.buildinfo, which moves the data that code refers to.
    auto code = stripped().code(*s);
    ASSERT_TRUE(code) << name;
    EXPECT_EQ(code->size(), f->end - f->entry) << name;
    EXPECT_EQ(stripped().file_offset(s->entry).value(), full().file_offset(f->entry).value()) << name;
    ElfImage img(t_.stripped);
    const uint8_t* in_file = img.bytes().data() + stripped().file_offset(s->entry).value();
    EXPECT_TRUE(std::equal(code->begin(), code->end(), in_file)) << name;
  }
  // runtime.newproc also has an ABI0 wrapper of the same name in pclntab.
  EXPECT_EQ(stripped().symbol_address("runtime.newproc"), full().symbol_address("runtime.newproc"));
  EXPECT_EQ(stripped().symbol_address("runtime.deferreturn"), full().symbol_address("runtime.deferreturn"));
  EXPECT_EQ(stripped().symbol_address("runtime.rt0_go"), full().symbol_address("runtime.rt0_go.abi0"));
  EXPECT_EQ(stripped().find_function("runtime.rt0_go"), nullptr);
  EXPECT_EQ(stripped().symbol_address("runtime.buildVersion"), std::nullopt);  // data: .symtab only
}

// pc -> file:line for every byte of several functions, runtime ones with
// inlined code included, equals DWARF's, but for one name: compiler-made
// code (wrappers, equality functions) is "<autogenerated>" in .gopclntab,
// as runtime.Caller reports it, and "./<autogenerated>" in DWARF.
TEST_P(Stripped, LinesMatchDwarf) {
  std::vector<const Function*> fns;
  for (const auto& f : full().functions())
    if (f.name.starts_with("main.")) fns.push_back(&f);
  for (const char* name : {"runtime.casgstatus", "runtime.newproc1", "runtime.mallocgc", "fmt.Fprintln"})
    if (const Function* f = full().find_function(name)) fns.push_back(f);
  ASSERT_GE(fns.size(), 6u);
  size_t checked = 0, autogenerated = 0;
  for (const Function* f : fns) {
    for (uint64_t pc = f->entry; pc < f->end; ++pc) {
      auto want = full().pc_to_line(pc);
      auto got = stripped().pc_to_line(pc);
      ASSERT_TRUE(got.has_value()) << f->name << " " << std::hex << pc;
      if (!want && gotrace::testing::go_minor() > 19) {
        // Go 1.26 and 1.27's DWARF has no lines for compiler-made wrappers
        // (main.(*Rect).Area); the pc-line table calls them <autogenerated>.
        EXPECT_EQ(got->file, "<autogenerated>") << f->name << " " << std::hex << pc;
        ++autogenerated;
        continue;
      }
      ASSERT_TRUE(want.has_value()) << f->name << " " << std::hex << pc;
      if (want->file == "./<autogenerated>") {
        EXPECT_EQ(got->file, "<autogenerated>") << f->name << " " << std::hex << pc;
        ++autogenerated;
      } else {
        EXPECT_EQ(got->file, want->file) << f->name << " " << std::hex << pc;
      }
      EXPECT_EQ(got->line, want->line) << f->name << " " << std::hex << pc;
      ++checked;
    }
  }
  EXPECT_GT(checked, 1000u);
  if (std::string(GetParam()) == "types") {
    EXPECT_GT(autogenerated, 0u);  // main.(*Rect).Area
  }
  EXPECT_FALSE(stripped().pc_to_line(0x10).has_value());
}

// args_size is the frame the register ABI gives the DWARF signature.
TEST_P(Stripped, ArgsSizeMatchesSignature) {
  size_t checked = 0;
  for (const auto& f : full().functions()) {
    if (!f.name.starts_with("main.")) continue;
    auto sig = full().signature(f);
    ASSERT_TRUE(sig) << f.name << ": " << sig.error().message;
    // Including main.(*Rect).Area, the compiler-made pointer wrapper of
    // Rect.Area, whose receiver DWARF leaves out and the signature restores.
    EXPECT_EQ(f.args_size, AbiFrame(full().machine()).size(*sig)) << f.name;
    const Function* s = stripped().find_function(f.name);  // Go 1.26+ keeps shapes
    if (!s) s = stripped().find_function(pclntab_name(f.name));
    ASSERT_NE(s, nullptr) << f.name;
    if (s->entry == f.entry) {
      EXPECT_EQ(s->args_size, f.args_size) << f.name;
    }
    ++checked;
  }
  EXPECT_GE(checked, 3u);
}

TEST_P(Stripped, RuntimeOffsetsFromTableEqualDwarf) {
  EXPECT_EQ(stripped().g_goid_offset().value(), 152u);
  EXPECT_EQ(stripped().g_stack_hi_offset().value(), 8u);
  EXPECT_EQ(stripped().g_goid_offset().value(), full().g_goid_offset().value());
  EXPECT_EQ(stripped().g_stack_hi_offset().value(), full().g_stack_hi_offset().value());
}

TEST_P(Stripped, NoDebugInformation) {
  const Function* f = stripped().find_function("main.main");
  ASSERT_NE(f, nullptr);
  const std::string msg = "no debug information (stripped binary): values are shown as raw words";
  auto sig = stripped().signature(*f);
  ASSERT_FALSE(sig);
  EXPECT_EQ(sig.error().code, Errc::unsupported);
  EXPECT_EQ(sig.error().message, msg);
  auto vars = stripped().variables_at(*f, f->entry);
  ASSERT_FALSE(vars);
  EXPECT_EQ(vars.error().message, msg);
  EXPECT_TRUE(stripped().line_to_pcs("main.go", stripped().pc_to_line(f->entry)->line).empty());
  EXPECT_EQ(stripped().type_by_name("int"), nullptr);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, Stripped,
                         ::testing::Values("demo", "types", "goroutines", "demo_pie", "demo_arm64"));

TEST(Stripped, DemoArgsSizes) {
  // square(n int) int: the spill slot of n; describe(Point, []string): 7
  // spilled words. Results in registers take no frame space.
  const Binary& b = testing::fixture("demo-stripped");
  EXPECT_EQ(b.find_function("main.square")->args_size, 8u);
  EXPECT_EQ(b.find_function("main.describe")->args_size, 56u);
  EXPECT_EQ(b.find_function("main.main")->args_size, 0u);
}

TEST(Stripped, GenericInstantiationsShareAName) {
  const Binary& s = testing::fixture("types-stripped");
  const Binary& f = testing::fixture("types-O");
  std::vector<uint64_t> want = {f.find_function(gotrace::testing::shaped("main.Max[go.shape.int_0]"))->entry,
                                f.find_function(gotrace::testing::shaped("main.Max[go.shape.float64_0]"))->entry};
  std::sort(want.begin(), want.end());
  if (gotrace::testing::go_minor() > 19) {
    // Go 1.26+ tables keep the shapes: each instantiation has its own name.
    for (const char* name : {"main.Max[go.shape.int_0]", "main.Max[go.shape.float64_0]"}) {
      std::string n = gotrace::testing::shaped(name);
      ASSERT_NE(s.find_function(n), nullptr) << n;
      EXPECT_EQ(s.find_function(n)->entry, f.find_function(n)->entry) << n;
    }
    return;
  }
  std::vector<uint64_t> got;
  for (const auto& fn : s.functions())
    if (fn.name == "main.Max[...]") got.push_back(fn.entry);
  EXPECT_EQ(got, want);  // sorted by entry
  EXPECT_EQ(s.find_function("main.Max[...]")->entry, want[0]);
}

// ----- damaged and rewritten binaries -----

// Rewrites the version string .go.buildinfo holds inline (same length).
std::string with_version(const std::string& version) {
  ElfImage img(fixture_path("demo-stripped"));
  uint8_t* info = img.contents(".go.buildinfo");
  EXPECT_EQ(info[32], version.size());
  std::memcpy(info + 33, version.data(), version.size());
  return img.write("demo-" + version);
}

// goid offset, stack.hi offset and warnings of demo-stripped claiming to
// be built by `version`.
std::string runtime_layout(const std::string& version) {
  auto b = Binary::open(with_version(version));
  if (!b) return b.error().message;
  EXPECT_EQ((*b)->go_version(), version);
  std::string out = std::to_string((*b)->g_goid_offset().value()) + " " +
                    std::to_string((*b)->g_stack_hi_offset().value());
  for (const auto& w : (*b)->warnings()) out += "; " + w;
  return out;
}

TEST(StrippedVersions, TableByVersion) {
  EXPECT_EQ(runtime_layout("go1.23.4"), "160 8");
  EXPECT_EQ(runtime_layout("go1.27.1"), "152 8");
  EXPECT_EQ(runtime_layout("go1.28.1"),
            "152 8; Go go1.28.1 is newer than gotrace's runtime table (go1.17 to go1.27); goroutine ids may be wrong");
  EXPECT_EQ(runtime_layout("go1.16.9"),
            "152 8; Go go1.16.9 is older than gotrace's runtime table (go1.17 to go1.27); goroutine ids may be wrong");
}

TEST(StrippedVersions, DwarfWinsOverTheTable) {
  // An unstripped binary takes runtime.g from DWARF: no table, no warning.
  ElfImage img(fixture_path("demo-O"));
  uint8_t* info = img.contents(".go.buildinfo");
  std::memcpy(info + 33, "go1.28.1", 8);
  auto b = Binary::open(img.write("demo-O-go1.28.1"));
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ((*b)->go_version(), "go1.28.1");
  EXPECT_EQ((*b)->g_goid_offset().value(), 152u);
  EXPECT_EQ((*b)->warnings(), std::vector<std::string>{});
}

TEST(StrippedBuildInfo, PointerFormBefore118) {
  // Go 1.13-1.17 wrote pointers to runtime.buildVersion and runtime.modinfo
  // instead of the strings: rewrite the header that way.
  // The variables sit in .data, which starts elsewhere in the stripped
  // build (its .go.buildinfo also records "-ldflags=-s -w").
  ElfImage full(fixture_path("demo-O"));
  ElfImage img(fixture_path("demo-stripped"));
  uint64_t shift = img.section(".data")->sh_addr - full.section(".data")->sh_addr;
  uint64_t version = testing::fixture("demo-O").symbol_address("runtime.buildVersion").value() + shift;
  uint64_t modinfo = testing::fixture("demo-O").symbol_address("runtime.modinfo").value() + shift;
  uint8_t* info = img.contents(".go.buildinfo");
  info[15] = 0;  // flags: little-endian, pointers
  std::memcpy(info + 16, &version, 8);
  std::memcpy(info + 24, &modinfo, 8);
  std::memset(info + 32, 0, 16);
  auto b = Binary::open(img.write("demo-buildinfo-pointers"));
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ((*b)->go_version(), go_version());
}

TEST(StrippedPclntab, FoundThroughSymbolsWithoutItsSection) {
  ElfImage img(fixture_path("demo-O"));
  img.rename(".gopclntab", ".gopclntaX");
  auto b = Binary::open(img.write("demo-O-no-pclntab-section"));
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ((*b)->warnings(), std::vector<std::string>{});
  EXPECT_EQ((*b)->find_function("main.square")->args_size, 8u);
  const Binary& ref = testing::fixture("demo-O");
  ASSERT_EQ((*b)->functions().size(), ref.functions().size());
  for (size_t i = 0; i < ref.functions().size(); ++i)
    EXPECT_EQ((*b)->functions()[i].args_size, ref.functions()[i].args_size) << ref.functions()[i].name;
}

TEST(StrippedPclntab, NeitherSectionNorSymbols) {
  ElfImage img(fixture_path("demo-stripped"));
  img.rename(".gopclntab", ".gopclntaX");
  std::string path = img.write("demo-no-pclntab");
  auto b = Binary::open(path);
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().code, Errc::unsupported);
  EXPECT_EQ(b.error().message, "no Go pc-line table in " + path +
                                   ": no .gopclntab section and no runtime.pclntab symbol (an externally linked "
                                   "binary stripped of its symbols?)");
}

TEST(StrippedPclntab, UnreadablePclntabOfUnstrippedBinaryIsAWarning) {
  ElfImage img(fixture_path("demo-O"));
  uint8_t* magic = img.contents(".gopclntab");
  magic[0] ^= 0xff;
  char bad[16];
  std::snprintf(bad, sizeof bad, "0xffffff%02x", magic[0]);
  std::string path = img.write("demo-O-bad-pclntab");
  auto b = Binary::open(path);
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ((*b)->find_function("main.square")->args_size, 0u);
  EXPECT_EQ((*b)->warnings(), std::vector<std::string>{"corrupt Go pc-line table (.gopclntab) in " + path +
                                                       ": bad magic " + bad + " (argument frame sizes are unknown)"});
}

// The rewritten binary at `path` lists the functions of fixture `name`,
// entries and ends alike.
void expect_functions_of(const std::string& path, const std::string& name) {
  auto b = Binary::open(path);
  ASSERT_TRUE(b) << b.error().message;
  const Binary& ref = testing::fixture(name);
  ASSERT_EQ((*b)->functions().size(), ref.functions().size());
  for (size_t i = 0; i < ref.functions().size(); ++i) {
    EXPECT_EQ((*b)->functions()[i].entry, ref.functions()[i].entry);
    EXPECT_EQ((*b)->functions()[i].end, ref.functions()[i].end);
  }
}

TEST(StrippedPclntab, TextStartFromDynamicRelocation) {
  // The PIE's header holds textStart in place and as an R_X86_64_RELATIVE
  // addend; with the word zeroed the relocation supplies it.
  // Go 1.26+ internally linked PIEs keep .gopclntab, with textStart 0.
  ElfImage img(fixture_path("demo-stripped-pie"));
  const char* table = img.section(".gopclntab") ? ".gopclntab" : ".data.rel.ro.gopclntab";
  std::memset(img.contents(table) + 24, 0, 8);
  expect_functions_of(img.write("demo-pie-unrelocated"), "demo-stripped-pie");
}

// Go 1.26+ leaves the header's textStart zero (golang/go#76038) and
// records it only in moduledata (.go.module); older releases keep
// moduledata in .noptrdata. With the header word zeroed, every release of
// the matrix is read through its moduledata.
TEST(StrippedPclntab, TextStartFromModuledata) {
  ElfImage img(fixture_path("demo-stripped"));
  std::memset(img.contents(".gopclntab") + 24, 0, 8);
  expect_functions_of(img.write("demo-unrelocated"), "demo-stripped");
  EXPECT_NE(testing::fixture("demo-stripped").find_function("main.square"), nullptr);
}

// Every word that points at the table zeroed: no moduledata is found.
TEST(StrippedPclntab, NoTextStartAnywhere) {
  ElfImage img(fixture_path("demo-stripped"));
  const uint64_t pcln = img.section(".gopclntab")->sh_addr;
  std::memset(img.contents(".gopclntab") + 24, 0, 8);
  int cleared = 0;
  for (const char* name : {".go.module", ".noptrdata", ".data"}) {
    Elf64_Shdr* sh = img.section(name);
    if (!sh) continue;
    uint8_t* d = img.contents(name);
    for (uint64_t off = 0; off + 8 <= sh->sh_size; off += 8) {
      uint64_t v;
      std::memcpy(&v, d + off, 8);
      if (v == pcln) {
        std::memset(d + off, 0, 8);
        ++cleared;
      }
    }
  }
  EXPECT_EQ(cleared, 1);  // moduledata.pcHeader alone
  std::string path = img.write("demo-no-text-start");
  auto b = Binary::open(path);
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().code, Errc::unsupported);
  EXPECT_EQ(b.error().message, "the Go pc-line table of " + path +
                                   " records no text start, and no Go module data (.go.module) says where its "
                                   "code begins");
}

TEST(StrippedPclntab, SectionCutShort) {
  ElfImage img(fixture_path("demo-stripped"));
  Elf64_Shdr* sh = img.section(".gopclntab");
  uint64_t half = sh->sh_size / 2;
  sh->sh_size = half;
  // The header's region offsets, in order: funcnametab, cutab, filetab,
  // pctab, functab; the first past the cut is reported.
  const uint8_t* d = img.contents(".gopclntab");
  uint64_t past = 0;
  for (int w = 3; w <= 7; ++w) {
    uint64_t off;
    std::memcpy(&off, d + 8 + 8 * w, 8);
    if (off >= half) {
      past = off;
      break;
    }
  }
  ASSERT_NE(past, 0u);
  std::string path = img.write("demo-pclntab-cut");
  auto b = Binary::open(path);
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().code, Errc::corrupt);
  char buf[128];
  std::snprintf(buf, sizeof buf, "header offset %#llx is past its end (%#llx)", static_cast<unsigned long long>(past),
                static_cast<unsigned long long>(half));
  EXPECT_EQ(b.error().message, "corrupt Go pc-line table (.gopclntab) in " + path + ": " + buf);
}

TEST(StrippedPclntab, FileCutInsideTheSection) {
  ElfImage img(fixture_path("demo-stripped"));
  Elf64_Shdr* sh = img.section(".gopclntab");
  img.bytes().resize(sh->sh_offset + sh->sh_size / 2);
  std::string path = img.write("demo-file-cut");
  auto b = Binary::open(path);
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().code, Errc::corrupt);
  EXPECT_EQ(b.error().message, "PT_LOAD segment outside the file: " + path);
}

TEST(StrippedPclntab, FuncEntryFlipped) {
  // Damage main.square's _func.entryoff: the function table disagrees.
  ElfImage img(fixture_path("demo-stripped"));
  uint8_t* d = img.contents(".gopclntab");
  uint64_t nfunc, text, functab;
  std::memcpy(&nfunc, d + 8, 8);
  std::memcpy(&text, d + 24, 8);
  std::memcpy(&functab, d + 64, 8);
  if (text == 0) text = img.section(".text")->sh_addr;  // Go 1.26+: runtime.text, .text's start here
  uint64_t square = testing::fixture("demo-O").find_function("main.square")->entry;
  uint64_t index = nfunc;
  for (uint64_t i = 0; i < nfunc; ++i) {
    uint32_t entryoff;
    std::memcpy(&entryoff, d + functab + 8 * i, 4);
    if (text + entryoff == square) index = i;
  }
  ASSERT_LT(index, nfunc);
  uint32_t funcoff;
  std::memcpy(&funcoff, d + functab + 8 * index + 4, 4);
  d[functab + funcoff] ^= 0x40;
  std::string path = img.write("demo-func-entry");
  auto b = Binary::open(path);
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().code, Errc::corrupt);
  char buf[160];
  std::snprintf(buf, sizeof buf, "function %llu at %#llx: _func entry %#llx disagrees with the function table",
                static_cast<unsigned long long>(index), static_cast<unsigned long long>(square),
                static_cast<unsigned long long>(square ^ 0x40));
  EXPECT_EQ(b.error().message, "corrupt Go pc-line table (.gopclntab) in " + path + ": " + buf);
}

// Bytes flipped across the whole section, one at a time: refused as
// corrupt, or every function listed is one of the table's, entry and end.
// (A flipped flag or name byte may add or drop one: an assembly mark, an
// ABI0 twin's name.)
TEST(StrippedPclntab, FlippedBytesNeverMoveAFunction) {
  std::set<std::pair<uint64_t, uint64_t>> real;
  // The table must outlive the loop: functions() points into it.
  const auto table = pclntab_of(fixture_path("demo-stripped"));
  for (const auto& f : table.functions()) real.emplace(f.entry, f.end);
  ElfImage img(fixture_path("demo-stripped"));
  Elf64_Shdr* sh = img.section(".gopclntab");
  const uint64_t size = sh->sh_size, offset = sh->sh_offset;
  int refused = 0, kept = 0;
  for (uint64_t at = 0; at < size; at += size / 401 + 1) {
    img.bytes()[offset + at] ^= 0xff;
    std::string path = img.write("demo-flipped");
    img.bytes()[offset + at] ^= 0xff;
    auto b = Binary::open(path);
    if (!b) {
      ++refused;
      EXPECT_EQ(b.error().code, Errc::corrupt) << at << ": " << b.error().message;
      continue;
    }
    ++kept;
    for (const auto& f : (*b)->functions())
      EXPECT_TRUE(real.contains({f.entry, f.end})) << "byte " << at << ": " << f.name;
  }
  EXPECT_GT(kept, 10);
  EXPECT_GT(refused, 10);
}

}  // namespace
}  // namespace gotrace::symbols
