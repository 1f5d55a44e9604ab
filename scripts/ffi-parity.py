#!/usr/bin/env python3
"""FFI parity: every object, method, constructor, function and callback interface that
lobby-ffi exports must be reached by both idiomatic wrappers — Kotlin
(android/src/main/kotlin/th/co/lobby) and Swift (ios/Sources/LobbyKit, minus Generated/)
— unless bindings/ffi-parity-exemptions.toml leaves it out on purpose, with the reason.

What the FFI exports is read from the GENERATED bindings (uniffi-bindgen, library mode,
both languages), never from a hand-kept list, so a new export is checked the moment it
exists:

  objects      Swift `public protocol XxxProtocol`, Kotlin `public interface XxxInterface`:
               each method; and each constructor (the uniffi symbol
               `..._fn_constructor_<object>_<name>`; `new` is the primary one);
  functions    the top-level `public func` / `fun` that call a `..._fn_func_...` symbol;
  callbacks    Swift `public protocol Xxx` / Kotlin `public interface Xxx` without the
               suffix: the interfaces the app implements (listeners, SecretStore); each
               must have an `init_callback_vtable` symbol.

The parser is checked against the bindings' own FFI symbols (every `_fn_method_`,
`_fn_func_`, `_fn_constructor_` and `_fn_init_callback_vtable_` symbol must belong to a
parsed declaration and the other way round) and the Kotlin and Swift readings must agree;
otherwise the script stops (exit 2) instead of checking less than there is.

The rule (per language):

  method       covered when a wrapper file calls it ON THAT OBJECT: `recv.name(` where
               `recv` resolves to the object's type — a name declared with that type
               (`ffi: ParcelsClient`, `handle: TaskHandle`), constructed as it
               (`let ffi = try LobbyClient(`), returned as it by a generated method
               (`val handle = ffi.watchTables(` is a TaskHandle), or a wrapper class's
               property (`parcels.ffi` where `parcels` is a LobbyParcels whose `ffi` is a
               ParcelsClient). Comments and string literals are ignored. A call on a
               receiver that cannot be resolved counts for nothing.
  constructor  covered when a wrapper calls `Object(` (or `Object.name(` for a named one).
  function     covered when a wrapper calls `name(` (not as a method, not its own
               declaration). A top-level function the app is meant to call as generated
               (public in LobbyKit / th.co.lobby.ffi, nothing to adapt) is NOT covered by
               being public: it must be listed in the exemptions file with that reason,
               so a new function with neither a wrapper nor a decision fails.
  callback     covered when a wrapper type conforms to / implements it (Swift
               `class X: Listener`, Kotlin `object : Listener` or `class X(...) : Listener`);
               the compiler then holds it to every method of the interface.
  streams      (Swift) every call of a generated method that answers a TaskHandle (a core
               subscription) must sit inside `subscriptions.stream(...) { ... }`, the one
               helper (CoreSubscriptions in Lobby.swift) that registers the handle and
               cancels it when the stream's consumer stops; one check per call site.

Exemptions (bindings/ffi-parity-exemptions.toml): `[[exempt]]` tables with `item`
(`Object.method`, `Object.new`, `function` or `CallbackInterface`), `languages` (a
non-empty list of "kotlin", "swift") and `reason` (at least a few words). The file is
refused (exit 2, nothing checked) when an entry lacks one of them, has another key, is
listed twice, or names an item the bindings do not export in that language; an exempt
item that the wrapper covers after all fails the check (remove the exemption).

Output: one line per gap (and per stale exemption, per stream outside the helper), a
summary per language, then `N passed, N failed`, N counting (language, item) pairs —
covered or validly exempt = passed — plus the Swift subscribing call sites. Exit 0 without a gap, 1 with
one, 2 when the bindings cannot be read or the exemptions are refused.

  scripts/ffi-parity.py [--no-build] [--library PATH]
                        [--kotlin-bindings DIR --swift-bindings DIR]
                        [--kotlin-wrapper DIR] [--swift-wrapper DIR]
                        [--exemptions FILE] [--verbose]
  scripts/ffi-parity.py --self-test     (proves the check fails when it should)

Without --kotlin-bindings/--swift-bindings it runs `cargo build -p lobby-ffi` (a no-op
when up to date; skipped with --no-build) and generates both bindings into a temporary
directory with the workspace's uniffi-bindgen. Stdlib only (Python 3.11: tomllib).
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LANGS = ("kotlin", "swift")
DEFAULT_WRAPPERS = {
    "kotlin": ROOT / "android/src/main/kotlin/th/co/lobby",
    "swift": ROOT / "ios/Sources/LobbyKit",
}
DEFAULT_EXEMPTIONS = ROOT / "bindings/ffi-parity-exemptions.toml"
MIN_REASON_WORDS = 3


class Refused(Exception):
    """The bindings could not be read, or the exemptions file is refused (exit 2)."""


# ---------------------------------------------------------------------------------------
# The FFI as the generated bindings declare it.


@dataclass
class Api:
    # object -> method -> the return type's last identifier (None when it returns nothing)
    objects: dict[str, dict[str, str | None]] = field(default_factory=dict)
    # object -> constructor names ("new" = primary)
    constructors: dict[str, set[str]] = field(default_factory=dict)
    # callback interface -> method names
    callbacks: dict[str, set[str]] = field(default_factory=dict)
    functions: set[str] = field(default_factory=set)

    def items(self) -> dict[str, str]:
        """Every item to check: its key (as in the exemptions file) -> its kind."""
        out: dict[str, str] = {}
        for obj, methods in self.objects.items():
            for m in methods:
                out[f"{obj}.{m}"] = "method"
        for obj, names in self.constructors.items():
            for n in names:
                out[f"{obj}.{n}"] = "constructor"
        for fn in self.functions:
            out[fn] = "function"
        for cb in self.callbacks:
            out[cb] = "callback"
        return out


def norm(name: str) -> str:
    """snake_case and camelCase to one form, to compare names with FFI symbols."""
    return name.replace("_", "").replace("`", "").lower()


def camel(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def last_ident(type_text: str | None) -> str | None:
    if not type_text:
        return None
    idents = re.findall(r"[A-Za-z_]\w*", type_text)
    return idents[-1] if idents else None


SWIFT_PROTOCOL = re.compile(r"^public protocol (\w+)\s*:\s*AnyObject[^{]*\{(.*?)^\}", re.M | re.S)
SWIFT_PROTO_METHOD = re.compile(r"^\s*func\s+`?(\w+)`?\s*\((.*)\)\s*(?:async\s*)?(?:throws\s*)?(?:->\s*(.+?))?\s*$", re.M)
KOTLIN_INTERFACE = re.compile(r"^public interface (\w+)\s*\{(.*?)^\}", re.M | re.S)
KOTLIN_IFACE_METHOD = re.compile(r"^\s*(?:suspend\s+)?fun\s+`?(\w+)`?\s*\((.*)\)\s*(?::\s*(.+?))?\s*$", re.M)
SYMBOL = re.compile(r"(?<!fun )\buniffi_(\w+?)_fn_(method|func|constructor|init_callback_vtable)_(\w+?)\s*\(")


def read_bindings(lang: str, directory: Path) -> Api:
    files = sorted(directory.rglob("*.swift" if lang == "swift" else "*.kt"))
    if not files:
        raise Refused(f"{lang}: no generated bindings in {directory}")
    api = Api()
    symbols: dict[str, set[str]] = {"method": set(), "func": set(), "constructor": set(), "init_callback_vtable": set()}
    func_calls: list[tuple[str, int, str]] = []  # (text, offset, symbol rest) to find the declaring function
    for path in files:
        text = path.read_text(encoding="utf-8")
        decl, meth = (SWIFT_PROTOCOL, SWIFT_PROTO_METHOD) if lang == "swift" else (KOTLIN_INTERFACE, KOTLIN_IFACE_METHOD)
        suffix = "Protocol" if lang == "swift" else "Interface"
        for m in decl.finditer(text):
            name, body = m.group(1), m.group(2)
            methods = {mm.group(1): last_ident(mm.group(3)) for mm in meth.finditer(body)}
            if name.endswith(suffix) and len(name) > len(suffix):
                api.objects[name[: -len(suffix)]] = methods
            else:
                api.callbacks[name] = set(methods)
        for m in SYMBOL.finditer(text):
            symbols[m.group(2)].add(m.group(3))
            if m.group(2) == "func":
                func_calls.append((text, m.start(), m.group(3)))
    # Top-level functions: the declaration that encloses each `_fn_func_` call.
    fn_decl = re.compile(r"^public func (\w+)\s*\(" if lang == "swift" else r"(?:^|\*/)[ \t]*(?:@Throws\([^)]*\)\s*)?(?:public\s+)?fun\s+`(\w+)`\s*\(", re.M)
    for text, offset, rest in func_calls:
        decls = [d for d in fn_decl.finditer(text, 0, offset)]
        if not decls or norm(decls[-1].group(1)) != norm(rest):
            raise Refused(f"{lang}: no top-level function declared for the FFI symbol _fn_func_{rest}")
        api.functions.add(decls[-1].group(1))

    # Check the parse against the symbols, both ways.
    lowered = {norm(o): o for o in list(api.objects) + list(api.callbacks)}
    problems: list[str] = []

    def split(rest: str) -> tuple[str, str] | None:
        for low in sorted(lowered, key=len, reverse=True):
            if rest.startswith(low + "_"):
                return lowered[low], rest[len(low) + 1 :]
        return None

    parsed_methods = {(norm(o), norm(m)) for o, ms in api.objects.items() for m in ms}
    parsed_methods |= {(norm(c), norm(m)) for c, ms in api.callbacks.items() for m in ms}
    symbol_methods: set[tuple[str, str]] = set()
    for rest in symbols["method"]:
        s = split(rest)
        if s is None:
            problems.append(f"method symbol _fn_method_{rest} belongs to no parsed object")
        else:
            symbol_methods.add((norm(s[0]), norm(s[1])))
    # Callback interfaces implemented only by the app have no method symbols; traits the
    # app implements that Rust can also call (SecretStore) do.
    callback_methods = {(norm(c), norm(m)) for c, ms in api.callbacks.items() for m in ms}
    for missing in sorted(symbol_methods - parsed_methods):
        problems.append(f"method symbol {missing[0]}_{missing[1]} has no parsed declaration")
    for missing in sorted(parsed_methods - symbol_methods - callback_methods):
        problems.append(f"parsed method {missing[0]}.{missing[1]} has no FFI symbol")
    for rest in symbols["constructor"]:
        s = split(rest)
        if s is None or s[0] not in api.objects:
            problems.append(f"constructor symbol _fn_constructor_{rest} belongs to no parsed object")
        else:
            api.constructors.setdefault(s[0], set()).add(camel(s[1]))
    vtables = set(symbols["init_callback_vtable"])
    for cb in api.callbacks:
        if norm(cb) not in vtables:
            problems.append(f"parsed callback interface {cb} has no init_callback_vtable symbol")
    for v in vtables:
        if v not in {norm(c) for c in api.callbacks}:
            problems.append(f"callback vtable symbol {v} belongs to no parsed callback interface")
    if len(api.functions) != len(symbols["func"]):
        problems.append(f"{len(symbols['func'])} function symbols, {len(api.functions)} functions parsed")
    if not api.objects:
        problems.append("no objects parsed")
    if problems:
        raise Refused(f"{lang}: the parser and the generated bindings disagree:\n  " + "\n  ".join(problems))
    return api


def same_api(kotlin: Api, swift: Api) -> None:
    def shape(api: Api):
        return (
            {o: set(ms) for o, ms in api.objects.items()},
            api.constructors,
            api.callbacks,
            api.functions,
        )

    if shape(kotlin) != shape(swift):
        k, s = set(kotlin.items()), set(swift.items())
        raise Refused(
            "the Kotlin and Swift bindings declare different APIs (parser out of step?): "
            f"only Kotlin {sorted(k - s)}, only Swift {sorted(s - k)}"
        )


# ---------------------------------------------------------------------------------------
# The wrappers.


def strip_code(text: str) -> str:
    """Comments and string contents blanked (newlines kept), so only code is matched."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            out.append("".join(ch if ch == "\n" else " " for ch in text[i:j]))
            i = j
        elif c == '"':
            quote = '"""' if text.startswith('"""', i) else '"'
            j = i + len(quote)
            while j < n and not text.startswith(quote, j):
                j += 2 if text[j] == "\\" else 1
            j = min(n, j + len(quote))
            out.append(quote + "".join(ch if ch == "\n" else " " for ch in text[i + len(quote) : j - len(quote)]) + quote)
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


@dataclass
class WrapperFile:
    path: Path
    code: str
    env: dict[str, set[str]] = field(default_factory=dict)  # name -> types
    classes: list[str] = field(default_factory=list)


def wrapper_files(lang: str, directory: Path) -> list[WrapperFile]:
    pattern = "*.swift" if lang == "swift" else "*.kt"
    files = [p for p in sorted(directory.rglob(pattern)) if "Generated" not in p.relative_to(directory).parts]
    if not files:
        raise Refused(f"{lang}: no wrapper sources in {directory}")
    out = []
    for p in files:
        code = strip_code(p.read_text(encoding="utf-8"))
        classes = re.findall(r"\b(?:class|struct|enum|actor|object)\s+([A-Z]\w*)", code)
        out.append(WrapperFile(p, code, classes=classes))
    return out


CALL = re.compile(r"(?<![\w.`])((?:`?[A-Za-z_]\w*`?[?!]?\s*\.\s*)*`?[A-Za-z_]\w*`?)[?!]?\s*\.\s*`?(\w+)`?\s*\(")


def analyse(lang: str, api: Api, files: list[WrapperFile]) -> tuple[set[str], dict[str, list[str]], list[tuple[str, str, bool]]]:
    """The items the wrapper covers, where each object type is held (for hints), and
    (Swift) each subscribing call site: (where, item, taken through the helper)."""
    objects = api.objects
    wrapper_classes = {c: f for f in files for c in f.classes}
    known = set(objects) | set(wrapper_classes)
    annotated = re.compile(r"\b(\w+)\s*:\s*(?:[\w.]*\.)?(" + "|".join(sorted(known, key=len, reverse=True)) + r")\b[?!]?(?![ \t]*[\w(<])")
    constructed = re.compile(r"\b(?:let|var|val)\s+(\w+)\s*(?::[^=\n]*)?=\s*(?:try[?!]?\s+)?(?:await\s+)?(" + "|".join(sorted(known, key=len, reverse=True)) + r")\s*\(")
    assigned_call = re.compile(r"\b(?:let|var|val)\s+(\w+)\s*=\s*(?:try[?!]?\s+)?(?:await\s+)?((?:\w+\s*\.\s*)*\w+)\s*\.\s*`?(\w+)`?\s*\(")
    aliased = re.compile(r"\b(?:let|var|val)\s+(\w+)\s*=\s*(\w+)\s*(?:$|;)", re.M)

    def resolve(f: WrapperFile, chain: str) -> set[str]:
        parts = [p.strip().strip("`?!") for p in chain.split(".")]
        if parts and parts[0] in ("self", "this"):
            parts = parts[1:]
        if not parts:
            return set()
        types = set(f.env.get(parts[0], set()))
        if parts[0] in objects:
            types.add(parts[0])  # static / named constructor
        for prop in parts[1:]:
            nxt: set[str] = set()
            for t in types:
                holder = wrapper_classes.get(t)
                if holder is not None:
                    nxt |= holder.env.get(prop, set())
            types = nxt
        return types

    for f in files:
        for m in annotated.finditer(f.code):
            f.env.setdefault(m.group(1), set()).add(m.group(2))
        for m in constructed.finditer(f.code):
            f.env.setdefault(m.group(1), set()).add(m.group(2))
    changed = True
    while changed:  # returned types and aliases, until nothing new is learnt
        changed = False
        for f in files:
            for m in assigned_call.finditer(f.code):
                for t in resolve(f, m.group(2)):
                    ret = objects.get(t, {}).get(m.group(3))
                    if ret in objects and ret not in f.env.get(m.group(1), set()):
                        f.env.setdefault(m.group(1), set()).add(ret)
                        changed = True
            for m in aliased.finditer(f.code):
                src = f.env.get(m.group(2), set())
                if src - f.env.get(m.group(1), set()):
                    f.env.setdefault(m.group(1), set()).update(src)
                    changed = True

    covered: set[str] = set()
    held: dict[str, list[str]] = {}
    subscribing: list[tuple[str, str, bool]] = []
    for f in files:
        for types in f.env.values():
            for t in types & set(objects):
                held.setdefault(t, [])
                if f.path.name not in held[t]:
                    held[t].append(f.path.name)
        for m in CALL.finditer(f.code):
            for t in resolve(f, m.group(1)):
                if m.group(2) in objects.get(t, {}):
                    covered.add(f"{t}.{m.group(2)}")
                    if lang == "swift" and objects[t][m.group(2)] == SUBSCRIPTION_TYPE:
                        line = f.code.count("\n", 0, m.start()) + 1
                        subscribing.append((f"{f.path.name}:{line}", f"{t}.{m.group(2)}", through_helper(f.code, m.start())))
                if m.group(2) in api.constructors.get(t, set()) and m.group(1).strip("`") == t:
                    covered.add(f"{t}.{m.group(2)}")
        for obj, names in api.constructors.items():
            if "new" in names and re.search(rf"(?<![\w.]){obj}\s*\(", f.code):
                covered.add(f"{obj}.new")
        for fn in api.functions:
            for m in re.finditer(rf"(?<![\w.`])`?{fn}`?\s*\(", f.code):
                before = f.code[max(0, m.start() - 12) : m.start()]
                if not re.search(r"\b(?:func|fun)\s+$", before):
                    covered.add(fn)
        for cb in api.callbacks:
            if implements(lang, f.code, cb):
                covered.add(cb)
    return covered, held, subscribing


# Swift streams: every generated method that answers a core subscription (a TaskHandle)
# must be called inside the one helper that registers and cancels it
# (`subscriptions.stream(...) { continuation in try ffi.watchX(...) }`, CoreSubscriptions
# in ios/Sources/LobbyKit/Lobby.swift), so that no stream outlives its consumer unseen by
# the tests (ios/Tests/LobbyKitTests/StreamTests.swift).
SUBSCRIPTION_TYPE = "TaskHandle"
SWIFT_STREAM_HELPER = "subscriptions.stream"


def through_helper(code: str, offset: int) -> bool:
    """Whether the nearest enclosing construct before `offset` is the stream helper (not
    a raw `AsyncStream(`, a function or property of its own)."""
    markers = [SWIFT_STREAM_HELPER, "AsyncStream(", "AsyncStream<", "func ", "var ", "init("]
    best, which = -1, None
    for marker in markers:
        at = code.rfind(marker, 0, offset)
        if at > best:
            best, which = at, marker
    return which == SWIFT_STREAM_HELPER


def implements(lang: str, code: str, iface: str) -> bool:
    target = re.compile(rf"(?:^|[\s,:])(?:[\w.]*\.)?{iface}\s*(?:\(\s*\))?\s*(?:,|\{{|$)", re.M)
    if lang == "swift":
        for m in re.finditer(r"\b(?:class|struct|actor|enum|extension)\s+\w+(?:<[^>{]*>)?\s*:\s*([^{]+)\{", code):
            if target.search(" " + m.group(1) + "{"):
                return True
        return False
    # Kotlin: `object : X {`, `object Name : X {`, `class Name<T> internal constructor(...) : X, Y {`.
    for m in re.finditer(r"\b(?:object|class)\b(?:\s+\w+)?\s*(?:<[^>{]*>)?\s*(?:(?:private|internal|protected|public)\s+)?(?:constructor\s*)?", code):
        i = m.end()
        if i < len(code) and code[i] == "(":  # the primary constructor's parameters
            depth = 0
            while i < len(code):
                depth += {"(": 1, ")": -1}.get(code[i], 0)
                i += 1
                if depth == 0:
                    break
        rest = re.match(r"\s*:\s*([^{=]+)\{", code[i:])
        if rest and target.search(" " + rest.group(1) + "{"):
            return True
    return False


# ---------------------------------------------------------------------------------------
# Exemptions.


@dataclass
class Exemption:
    item: str
    languages: tuple[str, ...]
    reason: str


def read_exemptions(path: Path, apis: dict[str, Api]) -> list[Exemption]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise Refused(f"exemptions {path}: {e}") from e
    unknown_top = set(data) - {"exempt"}
    errors = [f"unknown top-level key(s) {sorted(unknown_top)}"] if unknown_top else []
    entries = data.get("exempt", [])
    if not isinstance(entries, list):
        raise Refused(f"exemptions {path}: `exempt` must be an array of tables ([[exempt]])")
    out: list[Exemption] = []
    seen: set[tuple[str, str]] = set()
    for n, e in enumerate(entries, 1):
        label = f"entry {n} ({e.get('item', '?') if isinstance(e, dict) else '?'})"
        if not isinstance(e, dict):
            errors.append(f"{label}: not a table")
            continue
        extra = set(e) - {"item", "languages", "reason"}
        if extra:
            errors.append(f"{label}: unknown key(s) {sorted(extra)}")
        item, langs, reason = e.get("item"), e.get("languages"), e.get("reason")
        if not isinstance(item, str) or not item.strip():
            errors.append(f"{label}: no `item`")
            continue
        if not isinstance(langs, list) or not langs or any(l not in LANGS for l in langs) or len(set(langs)) != len(langs):
            errors.append(f"{label}: `languages` must be a non-empty list of {list(LANGS)}")
            continue
        if not isinstance(reason, str) or len(reason.split()) < MIN_REASON_WORDS:
            errors.append(f"{label}: no reason — say why it is left out (at least {MIN_REASON_WORDS} words)")
            continue
        for lang in langs:
            if item not in apis[lang].items():
                errors.append(f"{label}: {lang} bindings export no {item} (stale exemption?)")
            if (item, lang) in seen:
                errors.append(f"{label}: {item} is exempted twice for {lang}")
            seen.add((item, lang))
        out.append(Exemption(item, tuple(langs), reason.strip()))
    if errors:
        raise Refused(f"exemptions {path} refused:\n  " + "\n  ".join(errors))
    return out


# ---------------------------------------------------------------------------------------
# The check.


def label(item: str, kind: str) -> str:
    if kind == "constructor":
        obj, name = item.split(".")
        return f"{obj}(…) constructor" if name == "new" else f"{obj}.{name}(…) constructor"
    return {"method": item, "function": f"{item}() (top-level function)", "callback": f"{item} (callback interface)"}[kind]


def hint(lang: str, item: str, kind: str, held: dict[str, list[str]]) -> str:
    if kind == "method":
        obj, name = item.split(".")
        where = ", ".join(held.get(obj, [])) or "no wrapper file holds one"
        return f"no call of .{name}( on a {obj} (held in: {where})"
    if kind == "constructor":
        return "the wrapper never constructs one"
    if kind == "function":
        return f"the wrapper never calls {item}(; wrap it, or exempt it as used directly"
    return "no wrapper type implements it" if lang == "kotlin" else "no wrapper type conforms to it"


def check(apis: dict[str, Api], wrappers: dict[str, Path], exemptions_path: Path, verbose: bool) -> tuple[int, int]:
    exemptions = read_exemptions(exemptions_path, apis)
    passed = failed = 0
    for lang in LANGS:
        api = apis[lang]
        files = wrapper_files(lang, wrappers[lang])
        covered, held, subscribing = analyse(lang, api, files)
        exempt = {e.item: e for e in exemptions if lang in e.languages}
        items = api.items()
        rel = os.path.relpath(wrappers[lang], ROOT) if wrappers[lang].is_relative_to(ROOT) else str(wrappers[lang])
        print(f"== {lang}: {len(items)} items ({len(api.objects)} objects, {len(api.functions)} functions, "
              f"{len(api.callbacks)} callback interfaces) against {rel}")
        tally = {"covered": 0, "exempt": 0, "gaps": 0}
        for item in sorted(items, key=lambda i: (items[i], i)):
            kind = items[item]
            if item in covered and item in exempt:
                tally["gaps"] += 1
                print(f"STALE {lang:6} {label(item, kind)}: exempted, but the wrapper covers it — remove the exemption")
            elif item in covered:
                tally["covered"] += 1
                if verbose:
                    print(f"ok    {lang:6} {label(item, kind)}")
            elif item in exempt:
                tally["exempt"] += 1
                if verbose:
                    print(f"exempt {lang:6} {label(item, kind)}: {exempt[item].reason}")
            else:
                tally["gaps"] += 1
                print(f"GAP   {lang:6} {label(item, kind)}: {hint(lang, item, kind, held)}")
        for where, item, ok in subscribing:
            if ok:
                tally["streams"] = tally.get("streams", 0) + 1
                if verbose:
                    print(f"ok    {lang:6} {where}: {item} subscribes through {SWIFT_STREAM_HELPER}(…)")
            else:
                tally["gaps"] += 1
                print(f"STREAM {lang:6} {where}: {item} answers a {SUBSCRIPTION_TYPE} outside {SWIFT_STREAM_HELPER}(…) "
                      "— a stream must subscribe through it, or its consumer may stop without cancelling it")
        streams = f", {tally['streams']} subscribing calls through {SWIFT_STREAM_HELPER}(…)" if "streams" in tally else ""
        print(f"   {lang}: {tally['covered']} covered, {tally['exempt']} exempt{streams}, {tally['gaps']} failed")
        passed += tally["covered"] + tally["exempt"] + tally.get("streams", 0)
        failed += tally["gaps"]
    return passed, failed


# ---------------------------------------------------------------------------------------
# Generating the bindings.


def generate(library: Path | None, build: bool, out: Path) -> dict[str, Path]:
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    if not target.is_absolute():
        target = ROOT / target
    if library is None:
        library = target / "debug/liblobby_ffi.so"
        if build:
            print("ffi-parity: cargo build -p lobby-ffi", file=sys.stderr)
            subprocess.run(["cargo", "build", "-q", "-p", "lobby-ffi"], cwd=ROOT, check=True)
    if not library.exists():
        raise Refused(f"no library at {library} (build it: cargo build -p lobby-ffi)")
    dirs = {}
    for lang in LANGS:
        dirs[lang] = out / lang
        subprocess.run(
            ["cargo", "run", "-q", "-p", "lobby-ffi", "--features", "cli", "--bin", "uniffi-bindgen", "--",
             "generate", "--library", str(library), "--language", lang, "--out-dir", str(dirs[lang]), "--no-format"],
            cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
        )
    return dirs


# ---------------------------------------------------------------------------------------
# Self-test: the check must fail when a wrapper loses a call, and refuse a bad exemption.


def self_test(bindings: dict[str, Path], wrappers: dict[str, Path], exemptions_path: Path) -> int:
    import contextlib
    import io

    apis = {lang: read_bindings(lang, bindings[lang]) for lang in LANGS}
    same_api(apis["kotlin"], apis["swift"])
    passed = failed = 0

    def run(wr: dict[str, Path], ex: Path) -> tuple[str, int, int, str | None]:
        buf = io.StringIO()
        try:
            with contextlib.redirect_stdout(buf):
                p, f = check(apis, wr, ex, verbose=False)
            return buf.getvalue(), p, f, None
        except Refused as e:
            return buf.getvalue(), 0, 0, str(e)

    def case(name: str, ok: bool, detail: str = "") -> None:
        nonlocal passed, failed
        if ok:
            passed += 1
            print(f"ok     {name}")
        else:
            failed += 1
            print(f"FAILED {name}{': ' + detail if detail else ''}")

    base_out, base_pass, base_fail, base_err = run(wrappers, exemptions_path)
    case("the real wrappers and exemptions are checked (not refused)", base_err is None, base_err or "")
    if base_err is not None:
        print(f"{passed} passed, {failed} failed")
        return 1
    base_gaps = {l for l in base_out.splitlines() if l.startswith(("GAP", "STALE", "STREAM"))}

    with tempfile.TemporaryDirectory(prefix="ffi-parity-self-test-") as tmp:
        tmp = Path(tmp)
        copies = {}
        for lang in LANGS:
            copies[lang] = tmp / lang
            shutil.copytree(wrappers[lang], copies[lang], ignore=shutil.ignore_patterns("Generated", ".build", "build"))
        out, _, _, err = run(copies, exemptions_path)
        case("a copy of the wrappers reads as the wrappers do", err is None and {l for l in out.splitlines() if l.startswith(("GAP", "STALE", "STREAM"))} == base_gaps)

        # One covered method per language loses every call: exactly that gap must appear.
        for lang, obj, method in (("kotlin", "LobbyClient", "sync"), ("swift", "LobbyClient", "sync"),
                                  ("kotlin", "ParcelsClient", "watchArrivals"), ("swift", "AuthClient", "verifyOnboarding")):
            sources = [p for p in sorted(copies[lang].rglob("*.kt" if lang == "kotlin" else "*.swift")) if "Generated" not in p.parts]
            originals = {p: p.read_text(encoding="utf-8") for p in sources}
            call = re.compile(rf"(\.\s*`?){method}(`?\s*\()")
            for p, text in originals.items():
                p.write_text(call.sub(r"\1removedBySelfTest\2", text), encoding="utf-8")
            out, _, f, err = run(copies, exemptions_path)
            gaps = {l for l in out.splitlines() if l.startswith("GAP")} - base_gaps
            expected = [g for g in gaps if f" {obj}.{method}:" in g and f" {lang} " in g]
            case(f"{lang}: removing the calls of {obj}.{method} fails the check",
                 err is None and f == base_fail + 1 and len(expected) == 1 and len(gaps) == 1, f"new gaps {sorted(gaps)} {err or ''}")
            for p, text in originals.items():
                p.write_text(text, encoding="utf-8")

        # A call on another object, or left only in a comment, covers nothing.
        for lang, file, old, new, item, what in (
            ("kotlin", "Lobby.kt", "parcels.ffi.watchArrivals(", "invites.ffi.watchArrivals(", "ParcelsClient.watchArrivals",
             "the call made on an InvitesClient"),
            ("swift", "Lobby.swift", "parcels.ffi.watchArrivals(", "auth.ffi.watchArrivals(", "ParcelsClient.watchArrivals",
             "the call made on an AuthClient"),
            ("kotlin", "LobbyAuth.kt", "ffi.verifyOnboarding(", "// ffi.verifyOnboarding(", "AuthClient.verifyOnboarding",
             "the call left in a // comment"),
            ("swift", "LobbyAuth.swift", "ffi.verifyOnboarding(", "/* ffi.verifyOnboarding( */ (", "AuthClient.verifyOnboarding",
             "the call left in a /* */ comment"),
        ):
            path = copies[lang] / file
            original = path.read_text(encoding="utf-8")
            if old not in original:
                case(f"{lang}: {file} calls {old}", False, "the self-test's sample is gone; pick another")
                continue
            path.write_text(original.replace(old, new), encoding="utf-8")
            out, _, f, err = run(copies, exemptions_path)
            gaps = {l for l in out.splitlines() if l.startswith("GAP")} - base_gaps
            case(f"{lang}: {item} with {what} fails the check",
                 err is None and len(gaps) == 1 and f" {item}:" in next(iter(gaps), ""), f"new gaps {sorted(gaps)} {err or ''}")
            path.write_text(original, encoding="utf-8")

        # A Swift stream that subscribes with its own AsyncStream, not through the helper.
        path = copies["swift"] / "LobbyMeetings.swift"
        original = path.read_text(encoding="utf-8")
        path.write_text(original.replace(SWIFT_STREAM_HELPER, "AsyncStream"), encoding="utf-8")
        out, _, f, err = run(copies, exemptions_path)
        new = {l for l in out.splitlines() if l.startswith("STREAM")}
        case("swift: a stream subscribing outside the helper (MeetingsClient.watch) fails the check",
             SWIFT_STREAM_HELPER in original and err is None and f == base_fail + 1 and len(new) == 1
             and "MeetingsClient.watch" in next(iter(new), ""), f"{sorted(new)} {err or ''}")
        path.write_text(original, encoding="utf-8")

        # The bindings' parse is checked against their symbols: a declaration the parser
        # misses stops the check rather than checking less.
        for lang, pattern in (("swift", r"^\s*func isShutDown\(\).*$"), ("kotlin", r"^\s*fun `isShutDown`\(\).*$")):
            broken = tmp / f"bindings-{lang}"
            shutil.copytree(bindings[lang], broken)
            hit = False
            for p in broken.rglob("*.swift" if lang == "swift" else "*.kt"):
                text = p.read_text(encoding="utf-8")
                cut = re.sub(pattern, "", text, count=1, flags=re.M)
                if cut != text:
                    p.write_text(cut, encoding="utf-8")
                    hit = True
                    break
            try:
                read_bindings(lang, broken)
                refused = None
            except Refused as e:
                refused = str(e)
            case(f"{lang}: bindings whose LobbyClient.isShutDown the parser cannot see are refused",
                 hit and refused is not None and "isshutdown" in refused.lower(), refused or "accepted")

        # A callback interface no longer implemented, and a top-level function no longer called.
        for lang, needle, repl, item in (("kotlin", "SyncStateListener", "NotAListener", "SyncStateListener"),
                                         ("swift", "SyncStateListener", "NotAListener", "SyncStateListener"),
                                         ("kotlin", "renderQrPng(", "renderQrPngGone(", "renderQrPng"),
                                         ("swift", "renderQrPng(", "renderQrPngGone(", "renderQrPng")):
            sources = [p for p in sorted(copies[lang].rglob("*.kt" if lang == "kotlin" else "*.swift"))]
            originals = {p: p.read_text(encoding="utf-8") for p in sources}
            for p, text in originals.items():
                p.write_text(text.replace(needle, repl), encoding="utf-8")
            out, _, f, err = run(copies, exemptions_path)
            gaps = {l for l in out.splitlines() if l.startswith("GAP")} - base_gaps
            case(f"{lang}: {item} no longer used fails the check",
                 err is None and len(gaps) == 1 and f" {item}" in next(iter(gaps), ""), f"new gaps {sorted(gaps)} {err or ''}")
            for p, text in originals.items():
                p.write_text(text, encoding="utf-8")

        # Exemptions: no reason, unknown item, an unknown key, twice — each refused.
        real = exemptions_path.read_text(encoding="utf-8")
        bad = {
            "an exemption without a reason": '\n[[exempt]]\nitem = "LobbyClient.outbox"\nlanguages = ["swift"]\n',
            "an exemption with an empty reason": '\n[[exempt]]\nitem = "LobbyClient.outbox"\nlanguages = ["swift"]\nreason = "  "\n',
            "an exemption of an item the FFI does not export": '\n[[exempt]]\nitem = "LobbyClient.noSuchMethod"\nlanguages = ["kotlin"]\nreason = "left out on purpose for testing"\n',
            "an exemption without languages": '\n[[exempt]]\nitem = "LobbyClient.outbox"\nlanguages = []\nreason = "left out on purpose for testing"\n',
            "an exemption with an unknown key": '\n[[exempt]]\nitem = "LobbyClient.outbox"\nlanguages = ["swift"]\nreason = "left out on purpose for testing"\nreviewed = true\n',
        }
        for name, extra in bad.items():
            path = tmp / "exemptions.toml"
            path.write_text(real + extra, encoding="utf-8")
            _, _, _, err = run(copies, path)
            case(f"{name} is refused", err is not None and "refused" in err, "accepted")
        # An exemption of what the wrapper covers is stale: it fails the check.
        path = tmp / "exemptions.toml"
        path.write_text(real + '\n[[exempt]]\nitem = "LobbyClient.sync"\nlanguages = ["kotlin"]\nreason = "left out on purpose for testing"\n', encoding="utf-8")
        out, _, f, err = run(copies, path)
        case("an exemption of a covered item fails the check as stale",
             err is None and f == base_fail + 1 and any(l.startswith("STALE") and "LobbyClient.sync" in l for l in out.splitlines()))
        # And an exemption does silence a gap: the covered sync call removed, then exempted.
        lobby_kt = copies["kotlin"] / "Lobby.kt"
        original = lobby_kt.read_text(encoding="utf-8")
        lobby_kt.write_text(original.replace("ffi.sync()", "ffi.status()"), encoding="utf-8")
        out, _, f, err = run(copies, path)
        case("a valid exemption turns a gap into a pass", err is None and f == base_fail and not any("LobbyClient.sync" in l for l in out.splitlines()))
        lobby_kt.write_text(original, encoding="utf-8")

    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


# ---------------------------------------------------------------------------------------


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kotlin-bindings", type=Path, help="generated Kotlin bindings (skips generating)")
    ap.add_argument("--swift-bindings", type=Path, help="generated Swift bindings (skips generating)")
    ap.add_argument("--kotlin-wrapper", type=Path, default=DEFAULT_WRAPPERS["kotlin"])
    ap.add_argument("--swift-wrapper", type=Path, default=DEFAULT_WRAPPERS["swift"])
    ap.add_argument("--exemptions", type=Path, default=DEFAULT_EXEMPTIONS)
    ap.add_argument("--library", type=Path, help="liblobby_ffi.so to read (default: target/debug)")
    ap.add_argument("--no-build", action="store_true", help="do not run cargo build -p lobby-ffi first")
    ap.add_argument("--self-test", action="store_true", help="prove the check fails when it should")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every item, not only the gaps")
    args = ap.parse_args()

    wrappers = {"kotlin": args.kotlin_wrapper.resolve(), "swift": args.swift_wrapper.resolve()}
    with tempfile.TemporaryDirectory(prefix="ffi-parity-") as tmp:
        try:
            if args.kotlin_bindings and args.swift_bindings:
                bindings = {"kotlin": args.kotlin_bindings, "swift": args.swift_bindings}
            elif args.kotlin_bindings or args.swift_bindings:
                raise Refused("give both --kotlin-bindings and --swift-bindings, or neither")
            else:
                bindings = generate(args.library, not args.no_build, Path(tmp))
            if args.self_test:
                return self_test(bindings, wrappers, args.exemptions)
            apis = {lang: read_bindings(lang, bindings[lang]) for lang in LANGS}
            same_api(apis["kotlin"], apis["swift"])
            passed, failed = check(apis, wrappers, args.exemptions, args.verbose)
        except Refused as e:
            print(f"ffi-parity: {e}", file=sys.stderr)
            print("0 passed, 1 failed")
            return 2
        except subprocess.CalledProcessError as e:
            print(f"ffi-parity: {' '.join(map(str, e.cmd[:6]))}… failed (exit {e.returncode})", file=sys.stderr)
            print("0 passed, 1 failed")
            return 2
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
