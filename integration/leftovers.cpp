#include "leftovers.h"

#include "harness.h"

#include <elf.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <re2/re2.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>
#include <set>
#include <thread>

namespace gotrace::itest {
namespace {

// A function's place in the file and in memory, from .symtab.
struct FunctionBytes {
  uint64_t addr = 0;
  uint64_t size = 0;
  uint64_t file_offset = 0;
};

// Non-PIE executables only (the fixtures): the address in memory is the
// symbol's value. Empty on any failure, which the caller reports.
std::vector<std::optional<FunctionBytes>> locate(const std::string& data,
                                                 const std::vector<std::string>& names) {
  std::vector<std::optional<FunctionBytes>> out(names.size());
  if (data.size() < sizeof(Elf64_Ehdr)) return out;
  Elf64_Ehdr eh;
  std::memcpy(&eh, data.data(), sizeof eh);
  if (std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
      eh.e_type != ET_EXEC || eh.e_shoff + uint64_t{eh.e_shnum} * sizeof(Elf64_Shdr) > data.size())
    return out;
  std::vector<Elf64_Shdr> sh(eh.e_shnum);
  std::memcpy(sh.data(), data.data() + eh.e_shoff, eh.e_shnum * sizeof(Elf64_Shdr));
  for (const Elf64_Shdr& s : sh) {
    if (s.sh_type != SHT_SYMTAB || s.sh_link >= sh.size()) continue;
    const Elf64_Shdr& strtab = sh[s.sh_link];
    for (uint64_t off = s.sh_offset; off + sizeof(Elf64_Sym) <= s.sh_offset + s.sh_size; off += sizeof(Elf64_Sym)) {
      Elf64_Sym sym;
      std::memcpy(&sym, data.data() + off, sizeof sym);
      if (ELF64_ST_TYPE(sym.st_info) != STT_FUNC || sym.st_name >= strtab.sh_size) continue;
      const char* name = data.data() + strtab.sh_offset + sym.st_name;
      for (size_t i = 0; i < names.size(); i++) {
        if (names[i] != name || sym.st_shndx >= sh.size()) continue;
        const Elf64_Shdr& text = sh[sym.st_shndx];
        out[i] = FunctionBytes{sym.st_value, sym.st_size, text.sh_offset + (sym.st_value - text.sh_addr)};
      }
    }
  }
  return out;
}

// The ids of the programs and links process `pid` holds, read from its
// fds' fdinfo (a link's fdinfo names its program too).
void held_by(const std::filesystem::path& proc, std::set<int>* progs, std::set<int>* links) {
  std::error_code ec;
  for (const auto& fd : std::filesystem::directory_iterator(proc / "fd", ec)) {
    std::error_code lec;
    std::string target = std::filesystem::read_symlink(fd.path(), lec).string();
    if (target != "anon_inode:bpf-prog" && target != "anon_inode:bpf_link") continue;
    for (const std::string& l : lines(slurp_file(proc.string() + "/fdinfo/" + fd.path().filename().string()))) {
      int id = 0;
      if (RE2::FullMatch(l, R"(prog_id:\s+(\d+))", &id)) progs->insert(id);
      if (links && RE2::FullMatch(l, R"(link_id:\s+(\d+))", &id)) links->insert(id);
    }
  }
}

// ... by every running gotrace.
void held_by_gotrace(std::set<int>* progs, std::set<int>* links) {
  std::error_code ec;
  for (const auto& p : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string pid = p.path().filename().string();
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    if (slurp_file(p.path().string() + "/comm") == "gotrace\n") held_by(p.path(), progs, links);
  }
}

}  // namespace

BpfMark bpf_mark() {
  BpfMark m;
  for (const std::string& l : lines(run({"/usr/sbin/bpftool", "prog", "show"}, 30).out)) {
    int id = 0;
    if (RE2::PartialMatch(l, R"(^(\d+): )", &id)) m.prog = std::max(m.prog, id);
  }
  for (const std::string& l : lines(run({"/usr/sbin/bpftool", "link", "show"}, 30).out)) {
    int id = 0;
    if (RE2::PartialMatch(l, R"(^(\d+): )", &id)) m.link = std::max(m.link, id);
  }
  return m;
}

BpfLeft bpf_left_since(const BpfMark& mark) {
  std::set<int> held_progs, held_links, ours;
  held_by_gotrace(&held_progs, &held_links);
  BpfLeft left;
  for (const std::string& l : lines(run({"/usr/sbin/bpftool", "prog", "show"}, 30).out)) {
    int id = 0;
    if (!RE2::FullMatch(l, R"((\d+): \w+\s+name gotrace_probe\s.*)", &id) || id <= mark.prog) continue;
    ours.insert(id);
    if (!held_progs.count(id)) left.progs.insert(id);
  }
  for (const std::string& l : lines(run({"/usr/sbin/bpftool", "link", "show"}, 30).out)) {
    int id = 0, prog = 0;
    if (RE2::FullMatch(l, R"((\d+): (?:uprobe_multi|type 12)\s+prog (\d+)\s*.*)", &id, &prog) && id > mark.link &&
        ours.count(prog) && !held_links.count(id))
      left.links.insert(id);
  }
  return left;
}

std::string to_string(const BpfLeft& left) {
  std::string s = std::to_string(left.links.size()) + " links, " + std::to_string(left.progs.size()) + " programs (ids";
  for (int id : left.progs) s += " " + std::to_string(id);
  return s + ")";
}

void expect_no_bpf_left(const BpfMark& mark, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  BpfLeft now;
  for (;;) {
    now = bpf_left_since(mark);
    if (now.empty() || std::chrono::steady_clock::now() > deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(now.empty()) << "left behind by this test's gotrace: " << to_string(now);
}

std::set<int> bpf_progs_held(pid_t pid) {
  std::set<int> progs;
  held_by("/proc/" + std::to_string(pid), &progs, nullptr);
  return progs;
}

int bpf_links_held(pid_t pid) {
  std::set<int> progs, links;
  held_by("/proc/" + std::to_string(pid), &progs, &links);
  return static_cast<int>(links.size());
}

char proc_state(pid_t pid) {
  std::string stat = slurp_file("/proc/" + std::to_string(pid) + "/stat");
  size_t rp = stat.rfind(')');
  return rp != std::string::npos && rp + 2 < stat.size() ? stat[rp + 2] : 0;
}

std::string text_diff(pid_t pid, const std::string& elf_path, const std::vector<std::string>& functions) {
  std::string file = slurp_file(elf_path);
  auto where = locate(file, functions);
  int mem = open(("/proc/" + std::to_string(pid) + "/mem").c_str(), O_RDONLY | O_CLOEXEC);
  if (mem < 0) return "cannot open /proc/" + std::to_string(pid) + "/mem: " + std::strerror(errno);
  std::string diff;
  for (size_t i = 0; i < functions.size() && diff.empty(); i++) {
    if (!where[i] || where[i]->size == 0) {
      diff = functions[i] + " not found in " + elf_path + "'s .symtab (not a non-PIE ELF?)";
      break;
    }
    const FunctionBytes& f = *where[i];
    std::string live(f.size, '\0');
    if (pread(mem, live.data(), f.size, static_cast<off_t>(f.addr)) != static_cast<ssize_t>(f.size)) {
      diff = "cannot read " + functions[i] + " from /proc/" + std::to_string(pid) + "/mem";
      break;
    }
    for (uint64_t k = 0; k < f.size; k++) {
      unsigned char want = file[f.file_offset + k], got = live[k];
      if (want == got) continue;
      char buf[160];
      std::snprintf(buf, sizeof buf, "%s+0x%llx: file 0x%02x memory 0x%02x", functions[i].c_str(),
                    static_cast<unsigned long long>(k), want, got);
      diff = buf;
      break;
    }
  }
  close(mem);
  return diff;
}

void expect_target_untouched(pid_t pid, const std::string& elf_path,
                             const std::vector<std::string>& functions) {
  EXPECT_TRUE(pid_alive(pid)) << "target " << pid << " is gone";
  char st = proc_state(pid);
  EXPECT_TRUE(st != 'T' && st != 't' && st != 0) << "target " << pid << " state " << st;
  EXPECT_EQ(tracer_pid(pid), 0);
  EXPECT_EQ(text_diff(pid, elf_path, functions), "");
}

}  // namespace gotrace::itest
