// torch.save's zip format, read by a restricted unpickler of our own. LibTorch 1.13's
// torch::pickle_load turns collections.OrderedDict (what every state_dict is) into None, so it
// cannot read a state_dict; and a general unpickler would be the wrong tool for a file from
// elsewhere anyway. This one knows the opcodes pickle protocol 2 (torch.save's default) and 4
// emit for dicts, lists, tuples, numbers, strings and tensors, and only the Python globals a
// state_dict needs: collections.OrderedDict, torch._utils._rebuild_tensor_v2 /
// _rebuild_parameter and the torch.*Storage types. Anything else is refused; no code runs.
#include <caffe2/serialize/inline_container.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <variant>

#include "harness/core/error.hpp"
#include "models/weights.hpp"

namespace gauntlet {
namespace {

struct Value;
using ValuePtr = std::shared_ptr<Value>;

struct Global {
  std::string module, name;
};
struct Storage {
  std::string key;
  torch::Dtype dtype;
  int64_t numel;
};
struct Mark {};
using Items = std::vector<ValuePtr>;
struct Tuple {
  Items items;
};
struct List {
  Items items;
};
struct Dict {
  std::vector<std::pair<ValuePtr, ValuePtr>> items;
};

struct Value {
  std::variant<std::monostate, bool, int64_t, double, std::string, Global, Storage, torch::Tensor, Tuple, List,
               Dict, Mark>
      v;
  /// "a str", "an int", ...: what it is, for messages.
  const char* kind() const {
    static const char* names[] = {"None", "a bool", "an int", "a float", "a str", "a global", "a storage",
                                  "a tensor", "a tuple", "a list", "a dict", "a mark"};
    return names[v.index()];
  }
};

template <typename T>
ValuePtr make(T x) {
  auto p = std::make_shared<Value>();
  p->v = std::move(x);
  return p;
}

const std::map<std::string, torch::Dtype>& storage_types() {
  static const std::map<std::string, torch::Dtype> m = {
      {"FloatStorage", torch::kFloat32}, {"DoubleStorage", torch::kFloat64}, {"HalfStorage", torch::kFloat16},
      {"BFloat16Storage", torch::kBFloat16}, {"LongStorage", torch::kInt64}, {"IntStorage", torch::kInt32},
      {"ShortStorage", torch::kInt16}, {"CharStorage", torch::kInt8}, {"ByteStorage", torch::kUInt8},
      {"BoolStorage", torch::kBool}};
  return m;
}

class Unpickler {
 public:
  Unpickler(const std::string& path, caffe2::serialize::PyTorchStreamReader& reader, const uint8_t* data,
            size_t size)
      : path_(path), reader_(reader), p_(data), end_(data + size), begin_(data) {}

  ValuePtr run() {
    while (true) {
      const uint8_t op = u8();
      switch (op) {
        case 0x80: u8(); break;                      // PROTO
        case 0x95: bytes(8); break;                  // FRAME (protocol 4): a length hint
        case '}': push(make(Dict{})); break;         // EMPTY_DICT
        case ']': push(make(List{})); break;         // EMPTY_LIST
        case ')': push(make(Tuple{})); break;        // EMPTY_TUPLE
        case '(': push(make(Mark{})); break;         // MARK
        case 'N': push(make(std::monostate{})); break;
        case 0x88: push(make(true)); break;          // NEWTRUE
        case 0x89: push(make(false)); break;         // NEWFALSE
        case 'K': push(make(int64_t{u8()})); break;  // BININT1
        case 'M': push(make(int64_t{le(2)})); break;  // BININT2
        case 'J': push(make(int64_t{static_cast<int32_t>(le(4))})); break;  // BININT
        case 0x8a: push(make(long1())); break;       // LONG1
        case 'G': push(make(binfloat())); break;     // BINFLOAT
        case 'X': push(make(text(le(4)))); break;    // BINUNICODE
        case 0x8c: push(make(text(u8()))); break;    // SHORT_BINUNICODE
        case 'c': {                                  // GLOBAL "module\nname\n"
          const std::string module = line(), name = line();
          push(make(Global{module, name}));
          break;
        }
        case 0x93: {  // STACK_GLOBAL
          const std::string name = str(pop()), module = str(pop());
          push(make(Global{module, name}));
          break;
        }
        case 'q': memo_[u8()] = top(); break;   // BINPUT
        case 'r': memo_[le(4)] = top(); break;  // LONG_BINPUT
        case 0x94: memo_[memo_.size()] = top(); break;  // MEMOIZE
        case 'h': push(memo(u8())); break;      // BINGET
        case 'j': push(memo(le(4))); break;     // LONG_BINGET
        case 't': push(make(Tuple{since_mark()})); break;
        case 0x85: push(make(Tuple{pop_n(1)})); break;
        case 0x86: push(make(Tuple{pop_n(2)})); break;
        case 0x87: push(make(Tuple{pop_n(3)})); break;
        case 's': {  // SETITEM
          auto v = pop(), k = pop();
          dict(top()).items.emplace_back(k, v);
          break;
        }
        case 'u': {  // SETITEMS
          Items kv = since_mark();
          if (kv.size() % 2 != 0) fail("SETITEMS with an odd number of values");
          for (size_t i = 0; i < kv.size(); i += 2) dict(top()).items.emplace_back(kv[i], kv[i + 1]);
          break;
        }
        case 'a': {  // APPEND
          auto v = pop();
          list(top()).items.push_back(v);
          break;
        }
        case 'e': {  // APPENDS
          Items vs = since_mark();
          auto& l = list(top()).items;
          l.insert(l.end(), vs.begin(), vs.end());
          break;
        }
        case 'Q': push(persistent(pop())); break;  // BINPERSID
        case 'R': {                                // REDUCE
          auto args = pop(), callable = pop();
          push(reduce(*callable, *args));
          break;
        }
        case 'b': {  // BUILD: only an OrderedDict's attributes (a state_dict's _metadata), dropped
          pop();
          if (!std::holds_alternative<Dict>(top()->v)) fail(std::string("BUILD on ") + top()->kind());
          break;
        }
        case '.': {  // STOP
          if (stack_.size() != 1) fail("STOP with " + std::to_string(stack_.size()) + " values on the stack");
          return stack_.back();
        }
        default: {
          char hex[8];
          std::snprintf(hex, sizeof hex, "0x%02x", op);
          fail(std::string("pickle opcode ") + hex + " is not one a state_dict needs");
        }
      }
    }
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw InputError(path_, "cannot read it as a torch.save state_dict: " + what + " (byte " +
                                std::to_string(p_ - begin_) + " of data.pkl)");
  }
  const uint8_t* bytes(size_t n) {
    if (static_cast<size_t>(end_ - p_) < n) fail("data.pkl ends early");
    const uint8_t* at = p_;
    p_ += n;
    return at;
  }
  uint8_t u8() { return *bytes(1); }
  uint32_t le(int n) {
    const uint8_t* b = bytes(n);
    uint32_t v = 0;
    for (int i = n - 1; i >= 0; --i) v = (v << 8) | b[i];
    return v;
  }
  int64_t long1() {
    const uint8_t n = u8();
    if (n > 8) fail("an integer over 64 bits");
    const uint8_t* b = bytes(n);
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; --i) v = (v << 8) | b[i];
    if (n > 0 && n < 8 && (b[n - 1] & 0x80)) v |= ~uint64_t{0} << (8 * n);  // sign-extend
    return static_cast<int64_t>(v);
  }
  double binfloat() {
    const uint8_t* b = bytes(8);
    uint64_t bits = 0;
    for (int i = 0; i < 8; ++i) bits = (bits << 8) | b[i];  // big-endian
    double d;
    std::memcpy(&d, &bits, 8);
    return d;
  }
  std::string text(size_t n) {
    const uint8_t* b = bytes(n);
    return std::string(reinterpret_cast<const char*>(b), n);
  }
  std::string line() {
    const auto* nl = static_cast<const uint8_t*>(std::memchr(p_, '\n', end_ - p_));
    if (nl == nullptr) fail("an unterminated GLOBAL");
    std::string s(reinterpret_cast<const char*>(p_), nl - p_);
    p_ = nl + 1;
    return s;
  }
  void push(ValuePtr v) { stack_.push_back(std::move(v)); }
  ValuePtr pop() {
    if (stack_.empty() || std::holds_alternative<Mark>(stack_.back()->v)) fail("the stack is empty");
    auto v = stack_.back();
    stack_.pop_back();
    return v;
  }
  ValuePtr& top() {
    if (stack_.empty()) fail("the stack is empty");
    return stack_.back();
  }
  Items pop_n(size_t n) {
    Items out(n);
    for (size_t i = n; i-- > 0;) out[i] = pop();
    return out;
  }
  Items since_mark() {
    Items out;
    while (!stack_.empty() && !std::holds_alternative<Mark>(stack_.back()->v)) {
      out.push_back(stack_.back());
      stack_.pop_back();
    }
    if (stack_.empty()) fail("no MARK");
    stack_.pop_back();
    return Items(out.rbegin(), out.rend());
  }
  ValuePtr memo(uint32_t i) {
    const auto it = memo_.find(i);
    if (it == memo_.end()) fail("memo " + std::to_string(i) + " is not set");
    return it->second;
  }
  Dict& dict(ValuePtr& v) {
    if (auto* d = std::get_if<Dict>(&v->v)) return *d;
    fail(std::string("SETITEM on ") + v->kind());
  }
  List& list(ValuePtr& v) {
    if (auto* l = std::get_if<List>(&v->v)) return *l;
    fail(std::string("APPEND on ") + v->kind());
  }
  std::string str(const ValuePtr& v) {
    if (const auto* s = std::get_if<std::string>(&v->v)) return *s;
    fail(std::string("expected a str, found ") + v->kind());
  }
  int64_t integer(const ValuePtr& v) {
    if (const auto* i = std::get_if<int64_t>(&v->v)) return *i;
    fail(std::string("expected an int, found ") + v->kind());
  }
  std::vector<int64_t> ints(const ValuePtr& v) {
    const auto* t = std::get_if<Tuple>(&v->v);
    if (t == nullptr) fail(std::string("expected a tuple of ints, found ") + v->kind());
    std::vector<int64_t> out;
    for (const auto& i : t->items) out.push_back(integer(i));
    return out;
  }

  // ('storage', torch.FloatStorage, key, location, numel)
  ValuePtr persistent(const ValuePtr& pid) {
    const auto* t = std::get_if<Tuple>(&pid->v);
    if (t == nullptr || t->items.size() != 5 || str(t->items[0]) != "storage") {
      fail("a persistent id that is not a tensor storage");
    }
    const auto* g = std::get_if<Global>(&t->items[1]->v);
    const auto type = g == nullptr || g->module != "torch" ? storage_types().end() : storage_types().find(g->name);
    if (type == storage_types().end()) fail("an unknown storage type");
    const int64_t numel = integer(t->items[4]);
    if (numel < 0) fail("a negative storage size");
    return make(Storage{str(t->items[2]), type->second, numel});
  }

  torch::Tensor storage_tensor(const Storage& s) {
    const auto cached = storages_.find(s.key);
    if (cached != storages_.end()) return cached->second;
    const std::string record = "data/" + s.key;
    if (!reader_.hasRecord(record)) fail("no record " + record + " in the archive");
    const uint64_t want = static_cast<uint64_t>(s.numel) * c10::elementSize(s.dtype);
    at::DataPtr data;
    size_t size = 0;
    try {
      std::tie(data, size) = reader_.getRecord(record);
    } catch (const c10::Error& e) {
      fail("record " + record + ": " + e.what_without_backtrace());
    }
    if (size != want) {
      fail("record " + record + " holds " + std::to_string(size) + " bytes, its storage needs " + std::to_string(want));
    }
    torch::Tensor t = torch::empty({s.numel}, torch::TensorOptions().dtype(s.dtype));
    if (size > 0) std::memcpy(t.data_ptr(), data.get(), size);
    storages_[s.key] = t;
    return t;
  }

  ValuePtr reduce(const Value& callable, const Value& args_value) {
    const auto* g = std::get_if<Global>(&callable.v);
    const auto* args = std::get_if<Tuple>(&args_value.v);
    if (g == nullptr || args == nullptr) fail(std::string("REDUCE of ") + callable.kind());
    const std::string name = g->module + "." + g->name;
    if (name == "collections.OrderedDict") return make(Dict{});
    if (name == "torch._utils._rebuild_parameter" && !args->items.empty()) return args->items[0];
    if (name == "torch._utils._rebuild_tensor_v2" && args->items.size() >= 4) {
      const auto* s = std::get_if<Storage>(&args->items[0]->v);
      if (s == nullptr) fail("_rebuild_tensor_v2 without a storage");
      const int64_t offset = integer(args->items[1]);
      const std::vector<int64_t> sizes = ints(args->items[2]), strides = ints(args->items[3]);
      if (sizes.size() != strides.size()) fail("a tensor whose size and stride differ in length");
      // The last element the view reaches must lie inside the storage.
      // and the view may not hold more elements than the storage (no allocation beyond the file).
      int64_t last = offset, numel = 1;
      bool empty = false;
      for (size_t i = 0; i < sizes.size(); ++i) {
        if (sizes[i] < 0 || strides[i] < 0 || sizes[i] > (int64_t{1} << 40) || strides[i] > (int64_t{1} << 40)) {
          fail("a tensor with a negative or huge size or stride");
        }
        if (sizes[i] == 0) empty = true;
        else last += (sizes[i] - 1) * strides[i];
        numel = std::min<int64_t>(numel * sizes[i], int64_t{1} << 62);
      }
      if (offset < 0 || (!empty && (last >= s->numel || numel > s->numel))) {
        fail("a tensor that reaches past its storage");
      }
      const torch::Tensor base = storage_tensor(*s);
      if (empty) return make(torch::empty(sizes, base.options()));
      return make(base.as_strided(sizes, strides, offset).clone());
    }
    fail("the Python global " + name + ", which a state_dict does not need (refused: it could run code)");
  }

  const std::string& path_;
  caffe2::serialize::PyTorchStreamReader& reader_;
  const uint8_t* p_;
  const uint8_t* end_;
  const uint8_t* begin_;
  std::vector<ValuePtr> stack_;
  std::map<uint32_t, ValuePtr> memo_;
  std::map<std::string, torch::Tensor> storages_;
};

const Dict* as_dict(const ValuePtr& v) { return std::get_if<Dict>(&v->v); }

bool is_tensor_dict(const Dict& d) {
  for (const auto& [k, v] : d.items) {
    if (!std::holds_alternative<std::string>(k->v) || !std::holds_alternative<torch::Tensor>(v->v)) return false;
  }
  return true;
}

}  // namespace

NamedTensors load_torch_save(const std::string& path) {
  std::unique_ptr<caffe2::serialize::PyTorchStreamReader> reader;
  at::DataPtr pkl;
  size_t size = 0;
  try {
    reader = std::make_unique<caffe2::serialize::PyTorchStreamReader>(path);
    if (!reader->hasRecord("data.pkl")) throw InputError(path, "a zip file without data.pkl: not a torch.save file");
    std::tie(pkl, size) = reader->getRecord("data.pkl");
  } catch (const c10::Error& e) {
    throw InputError(path, std::string("cannot read it as a torch.save file: ") + e.what_without_backtrace());
  }
  const ValuePtr root = Unpickler(path, *reader, static_cast<const uint8_t*>(pkl.get()), size).run();

  const std::string not_sd =
      "not a state_dict (a dict of parameter name -> tensor, as torch.save(model.state_dict()) writes): ";
  const Dict* dict = as_dict(root);
  if (dict == nullptr) throw InputError(path, not_sd + "it holds " + root->kind());
  if (!is_tensor_dict(*dict)) {
    // A training checkpoint: {"state_dict": {...}, "epoch": ...} or {"model": {...}, ...}.
    for (const char* key : {"state_dict", "model"}) {
      for (const auto& [k, v] : dict->items) {
        const auto* name = std::get_if<std::string>(&k->v);
        if (name != nullptr && *name == key && as_dict(v) != nullptr) dict = as_dict(v);
      }
      if (dict != as_dict(root)) break;
    }
  }
  NamedTensors out;
  for (const auto& [k, v] : dict->items) {
    const auto* name = std::get_if<std::string>(&k->v);
    if (name == nullptr) throw InputError(path, not_sd + "a key is " + k->kind());
    const auto* t = std::get_if<torch::Tensor>(&v->v);
    if (t == nullptr) throw InputError(path, not_sd + "the value of \"" + *name + "\" is " + v->kind());
    if (!out.emplace(*name, t->is_floating_point() ? t->to(torch::kFloat32) : t->to(torch::kInt64)).second) {
      throw InputError(path, not_sd + "\"" + *name + "\" appears twice");
    }
  }
  return out;
}

}  // namespace gauntlet
