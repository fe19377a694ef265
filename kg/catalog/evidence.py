"""Does a source show a fact? Its text (a seed line, an upstream line) and rules per kind of value.

``SourceText.read(source)`` resolves ``seed:F:L`` and the permalinks of the upstream files
listed in ``<shared>/upstream/README.md`` to line L with lines L-1 and L+1; any other source
is a page nobody can read offline (None). ``shows(entry, fact, text, names)`` applies one
general rule per kind of value (names, references, counts, dates, URLs, licences, prose,
choices); ``names`` (``Names.of(catalog.entries)``) supplies the names of the entries a reference
points at. Pure Python: nothing here needs an RDF library.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from kg.catalog.facts import Fact
from kg.catalog.licenses import ALL_LICENSES

REF_TARGETS = {"developer": "organizations", "organizations": "organizations", "parent": "organizations",
               "based_on": "models", "family": "models", "papers": "papers", "introduced_in": "papers",
               "techniques": "techniques", "introduces": "techniques", "broader": "techniques"}
NAME_KEYS = {"name", "aliases", "authors"}
COUNT_KEYS = {"parameters", "active_parameters", "training_tokens", "context_length"}
DATE_KEYS = {"released", "published", "founded"}
URL_KEYS = {"url", "repository"}
PROSE_KEYS = {"description", "corpus", "pretraining_objective"}
MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
SCALES = {"k": 10**3, "thousand": 10**3, "m": 10**6, "million": 10**6, "b": 10**9, "bn": 10**9,
          "billion": 10**9, "t": 10**12, "trillion": 10**12}
#: Words a choice or flag is shown by, beyond its own spelling.
CHOICE_WORDS = {"decoder-only": ["decoder only", "decoder"], "encoder-only": ["encoder only", "encoder"],
                "encoder-decoder": ["encoder decoder", "seq2seq", "an encoder and a decoder"],
                "text": ["text", "language", "LLM", "VLM"],  # a large / vision-language model
                "image": ["image", "images", "vision", "visual", "VLM"],
                "code": ["code", "coding"], "audio": ["audio"], "speech": ["speech", "voice"],
                "video": ["video", "videos"],
                "3d": ["3d", "triangle mesh", "triangle meshes"],
                "other": ["time series"]}  # a modality none of the others names
#: Words for a model layout other than encoder-only, decoder-only and encoder-decoder.
OTHER_ARCHITECTURE_WORDS = ["state space", "SSM", "recurrent", "RNN"]
OPEN_WORDS = ["open source", "open sourced", "open weights", "open weight", "oss", "weights released",
              "license open", "open model", "open language model", "fully open", "open LLM"]
CLOSED_WORDS = ["not open source", "closed source", "proprietary"]
LICENSE_WORDS = {"Apache-2.0": ["apache 2.0", "apache license"], "MIT": ["mit license", "mit"],
                 "non-commercial": ["non commercial", "noncommercial"], "research-only": ["research only"],
                 "proprietary": ["proprietary", "closed source"],
                 "llama-2-community": ["llama 2 community license", "llama 2 license"],
                 "bigscience-bloom-rail-1.0": ["bigscience rail license v1.0"]}
#: Words after a family's name that say it is a family: 'Llama family' is the family of 'Llama 2'.
FAMILY_WORDS = ("family", "series")
COUNTRIES = {"US": ["united states", "usa", "american"], "FR": ["france", "french"],
             "CN": ["china", "chinese"], "CA": ["canada", "canadian"], "GB": ["united kingdom", "british"],
             "IL": ["israel", "israeli"], "AE": ["uae", "emirati"], "DE": ["germany", "german"]}
STOPWORDS = set("""about above after again also among and been before being between both could does
each from have having here into more most much only other over same should some such than that
their them then there these they this those through under very what when where which while with
would your model models language large based using used uses like well""".split())


@lru_cache(maxsize=16384)
def words(text: str) -> tuple[str, ...]:
    """Lowercase alphanumeric words, accents folded: 'LLaMA-2 (7B)' -> ('llama', '2', '7b')."""
    return tuple(_WORD.findall(fold(text)))


@lru_cache(maxsize=65536)
def _phrase_pattern(phrase: str) -> re.Pattern | None:
    """'Llama 2' -> a pattern for llama2 / LLaMA-2 / Llama 2 (and 'Big Bird' for 'BigBird'), as whole
    words, not followed by a version number."""
    squashed = "".join(words(phrase))
    if not squashed:
        return None
    body = r"[\W_]*".join(squashed)
    other = _other_number(phrase, squashed)
    if other:
        body = body + "s?" if other == squashed + "s" else body[:-1] + "s?"
    return re.compile(rf"(?<![a-z0-9]){body}(?![a-z0-9])(?![ .-]?\d+(?:\.\d+)*(?![a-z0-9]))")


def _other_number(phrase: str, squashed: str) -> str | None:
    """The same name in the other number, or None: 'embedding' and 'embeddings' (a word of more
    than 4 letters, either way), 'VAE' and 'VAEs' (an acronym of 3 or more capitals takes an 's';
    not a shorter one: 'RMS' is no plural of 'RM')."""
    last = re.findall(r"[a-z]+|[0-9]+", squashed)[-1]
    if not last.isalpha():
        return None
    if len(last) > 4:
        return squashed[:-1] if squashed.endswith("s") else squashed + "s"
    written = re.findall(r"[A-Za-z]+|[0-9]+", phrase)
    if written and len(written[-1]) >= 3 and written[-1].isupper():
        return squashed + "s"
    return None


#: A run of characters that UTF-8 bytes take when read as cp1252 ('â€™' for '’', 'Ãœ' for 'Ü').
_MOJIBAKE = re.compile("[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192"
                       "\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]+")


def unmangle(text: str) -> str:
    """Text with its mojibake repaired: 'Googleâ€™s' -> 'Google’s', 'TÃœLU' -> 'TÜLU' (each run that
    decodes as UTF-8 once written back as cp1252; any other run is kept as it is)."""
    def repair(match: re.Match) -> str:
        try:
            return match.group().encode("cp1252").decode("utf-8")
        except UnicodeError:
            return match.group()
    return _MOJIBAKE.sub(repair, text) if not text.isascii() else text


#: A possessive 's after a name: "Upstage's 70B Language Model" names "Upstage 70B Language Model".
_POSSESSIVE = re.compile(r"(?<=[A-Za-z0-9])['\u2019]s\b")


@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """Lowercase with accents folded, mojibake repaired and a possessive 's dropped: what names are
    matched against. Other punctuation and symbols ('—', '’', '📑') part words as ASCII punctuation
    does: 'genome—specifically' is two words."""
    decomposed = unicodedata.normalize("NFKD", _POSSESSIVE.sub("", unmangle(text)))
    if decomposed.isascii():
        return decomposed.casefold()
    spaced = "".join(" " if not c.isascii() and unicodedata.category(c)[0] in "PSZ" else c for c in decomposed)
    return spaced.encode("ascii", "ignore").decode().casefold()


def mentions(text: str, phrase: str) -> bool:
    """Does ``phrase`` appear in ``text`` ignoring case, punctuation and spacing ('Llama-2' ~ 'LLaMA 2'),
    as whole words and not as the start of a later version ('LLaMA' is not in 'LLaMA 2')?

    The same matches as ``_phrase_pattern``, found without compiling a pattern per phrase
    (compiling dominated ``kg validate``): the phrase's squashed words are searched for in the
    text's squashed words, and a hit counts when it starts and ends on word boundaries.
    """
    squashed = "".join(words(phrase))
    if not squashed:
        return False
    other = _other_number(phrase, squashed)
    folded = fold(text)
    joined, starts, ends = _squashed(folded)
    for wanted in (squashed, other) if other else (squashed,):
        at = joined.find(wanted)
        while at != -1:
            end = ends.get(at + len(wanted))
            if at in starts and end is not None and not _VERSION_AFTER.match(folded, end):
                return True
            at = joined.find(wanted, at + 1)
    return False


_VERSION_AFTER = re.compile(r"[ .-]?\d+(?:\.\d+)*(?![a-z0-9])")


@lru_cache(maxsize=4096)
def _squashed(folded: str) -> tuple[str, frozenset[int], dict[int, int]]:
    """The words of ``folded`` run together, the offsets where each word starts in that string, and,
    by the offset where each word ends there, where it ends in ``folded``."""
    parts, starts, ends, offset = [], set(), {}, 0
    for match in _WORD.finditer(folded):
        starts.add(offset)
        offset += match.end() - match.start()
        ends[offset] = match.end()
        parts.append(match.group())
    return "".join(parts), frozenset(starts), ends


_WORD = re.compile(r"[a-z0-9]+")


def _found_alone(text: str, value: str, before: re.Pattern, after: re.Pattern) -> bool:
    """Does ``value`` occur in ``text`` with no character matching ``before`` just before it, and
    ``after`` not matching just after it (lookarounds, without compiling a pattern per value)?"""
    at = text.find(value)
    while at != -1:
        end = at + len(value)
        if (at == 0 or not before.match(text[at - 1])) and not after.match(text, end):
            return True
        at = text.find(value, at + 1)
    return False


_DIGIT_OR_DOT = re.compile(r"[\d.]")
_WORD_CHAR = re.compile(r"\w")
_DIGIT = re.compile(r"\d")
_URL_CHAR = re.compile(r"[\w/.-]")


def without_urls(text: str) -> str:
    """The text with its URLs blanked out: a name inside a link's path is no mention of it."""
    return re.sub(r"https?://[^\s)\]>\"']+", " ", text)


class Names:
    """The names, aliases and id of each entry, by (folder, id), for reference facts."""

    def __init__(self, table: dict[tuple[str, str], list[str]] | None = None, entries=None) -> None:
        self._table = table if table is not None or entries is not None else {}
        self._entries = entries if table is None else None

    @classmethod
    def of(cls, entries) -> "Names":
        """From the catalog. A paper is named by its title, aliases and arXiv id, not by its id:
        a paper's id is the short name of what it presents ('llama-2'), which names the model.
        The table is made when first asked: a catalog citing no seed or upstream line never asks
        (0.2 s at a million triples)."""
        return cls(entries=entries)

    @property
    def table(self) -> dict[tuple[str, str], list[str]]:
        if self._table is None:
            table = {}
            for e in self._entries:
                spelled = [v.value for k in ("name", "aliases", "arxiv") for v in e.values.get(k, [])]
                table[(e.kind.folder, e.id)] = spelled + ([] if e.kind.folder == "papers" else [e.id])
            self._table, self._entries = table, None
        return self._table

    def get(self, folder: str, ident: str) -> list[str]:
        return self.table.get((folder, ident), [ident])


def counts_in(text: str) -> set[tuple[int, bool]]:
    """Every number in ``text`` as (value, written with K): '7B', '7 billion', '7,000,000,000', '4K'."""
    found = set()
    pattern = r"(?<![\d.])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?:\s*-?\s*(thousand|million|billion|trillion|bn|[kmbt])(?![a-z]))?"
    for number, unit in re.findall(pattern, text, flags=re.IGNORECASE):
        value = float(number.replace(",", "")) * SCALES.get(unit.lower(), 1)
        found.add((round(value), unit.lower() in ("k", "thousand")))
    return found


def shows_count(key: str, number: int, text: str) -> bool:
    """A count in any usual spelling; a context length of 4096 is also shown by '4K'."""
    for value, kilo in counts_in(text):
        if value == number or (key == "context_length" and kilo and value // 1000 * 1024 == number):
            return True
    return False


def dates_in(text: str) -> set[str]:
    """Every date in ``text`` as ISO text of its precision: '18 Jul 2023' -> '2023-07-18'."""
    month = (r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)(?:uary|ruary|ch|il|e|y|ust|t|tember"
             r"|ober|ember)?\.?(?![a-z])")
    low = text.casefold()
    found = {f"{y}-{m}" + (f"-{d}" if d else "") for y, m, d in
             re.findall(r"(?<!\d)((?:19|20)\d\d)-(\d\d)(?:-(\d\d))?(?!\d)", low)}
    found |= {f"{y}-{MONTHS.index(m) + 1:02d}-{int(d):02d}" for d, m, y in
              re.findall(rf"(?<!\d)(\d{{1,2}})(?:st|nd|rd|th)?\s+{month},?\s+((?:19|20)\d\d)", low)}
    found |= {f"{y}-{MONTHS.index(m) + 1:02d}-{int(d):02d}" for m, d, y in
              re.findall(rf"\b{month}\s+(\d{{1,2}})(?:st|nd|rd|th)?,\s+((?:19|20)\d\d)", low)}
    found |= {f"{y}-{MONTHS.index(m) + 1:02d}" for m, y in re.findall(rf"\b{month},?\s+((?:19|20)\d\d)", low)}
    found |= {f"{y}-{int(m):02d}" for m, y in re.findall(r"(?<![\d/])(\d{1,2})/((?:19|20)\d\d)\b", low)
              if 1 <= int(m) <= 12}
    found |= set(re.findall(r"(?<!\d)(?<!\d\.)((?:19|20)\d\d)(?!\d|\.\d)", low))  # not in 2021.5
    return found


def shows_date(date_text: str, text: str) -> bool:
    """A date at the precision stored: '2023-07' is shown by 'Jul 2023' or '18 Jul 2023'."""
    return any(d[:len(date_text)] == date_text and len(d) >= len(date_text) for d in dates_in(text))


def shows_url(url: str, text: str) -> bool:
    """The URL appears (trailing slashes ignored), not as the start of a longer URL path."""
    bare = url.rstrip("/")
    at = text.find(bare)
    while at != -1:
        end = at + len(bare)
        after = end + 1 if text.startswith("/", end) else end  # one trailing slash is the same URL
        if not _URL_CHAR.match(text, after):
            return True
        at = text.find(bare, at + 1)
    return False


def stem(word: str) -> str:
    """A light stem, for prose: 'modelling'/'modeling', 'tokens'/'token'."""
    if word.endswith(("ing", "ed")):
        word = _DOUBLED.sub(r"\1\2", word)
    return word[:-1] if word.endswith("s") and len(word) > 4 else word


_DOUBLED = re.compile(r"([b-df-hj-np-tv-z])\1(ing|ed)$")


@lru_cache(maxsize=4096)
def content_words(text: str) -> frozenset[str]:
    return frozenset(stem(w) for w in words(text) if len(w) >= 4 and w not in STOPWORDS)


def shows_prose(value: str, text: str) -> bool:
    """At least 3 distinctive words shared (all of them when the value has fewer); or the whole
    value ('MassiveText' ~ 'Massive Text'); or the acronym the value ends with in parentheses
    ('language modelling (LM)' is shown by 'Pretraining Task: LM')."""
    if mentions(text, value):
        return True
    acronym = re.search(r"\(([A-Z][A-Z0-9]+\b[^()]*(?:\([^()]*\))?[^()]*)\)\.?\s*$", value)
    if acronym and mentions(text, acronym.group(1)):
        return True
    mine = content_words(value)
    shared = mine & content_words(text)
    return len(shared) >= min(3, len(mine)) and bool(shared)


def family_stems(name: str) -> list[str]:
    """'Llama family' -> ['Llama'], 'Gemma series' -> ['Gemma'], 'MAI model family' -> ['MAI']:
    a family's name without the words that say it is one ([] when it has none)."""
    parts = name.split()
    if len(parts) < 2 or fold(parts[-1]) not in FAMILY_WORDS:
        return []
    parts = parts[:-1]
    if len(parts) > 1 and fold(parts[-1]) in ("model", "models"):
        parts = parts[:-1]
    return [" ".join(parts)]


def shows_member_of(stem: str, text: str) -> bool:
    """A member of the family called ``stem``: the stem as whole words, a version allowed after it
    ('Llama 2', 'Qwen2-Audio', 'Phi-3-mini', 'Gemma 3n'), not a longer word ('LlamaIndex', 'QwenLM')."""
    squashed = "".join(words(stem))
    if not squashed:
        return False
    body = r"[\W_]*".join(squashed)
    return re.search(rf"(?<![a-z0-9]){body}(?![a-z])", fold(text)) is not None


def participle(name: str) -> str | None:
    """A technique's name as what it did to a model: 'Instruction tuning' -> 'Instruction tuned'
    ('an instruction-tuned model'), 'Quantization' -> 'Quantized'; None for other names."""
    found = re.search(r"(?i)(\w{3,}?)(ing|ation)$", name)
    if not found or len(name.split()[-1]) < 6:
        return None
    return name[:found.start(2)] + "ed"


def unshared(text: str) -> str:
    """Each word of 'A and B C' with the head it shares, on lines of its own: 'model and sequence
    parallelism' -> 'model parallelism', 'sequence parallelism' (to be appended to ``text``)."""
    found = re.findall(r"(?i)\b([a-z][\w-]*) and ([a-z][\w-]*) ([a-z][\w-]*)", text)
    return "".join(f"\n{a} {head}\n{b} {head}" for a, b, head in found)


#: Words after a technique's name that only say it is one: 'Attention mechanism' is attention.
GENERIC_WORDS = ("mechanism", "mechanisms", "technique", "techniques", "method", "methods")


def shows_kind_of(own: list[str], broader: list[str], text: str) -> bool:
    """The text names the entry by a name whose last words are the broader technique's name
    ('Grouped-query attention' is an attention mechanism, 'Relative positional encoding' a
    positional encoding), or names a later version of the broader one ('FlashAttention-2')."""
    heads = set()
    for name in broader:
        parts = name.split()
        while len(parts) > 1 and fold(parts[-1]) in GENERIC_WORDS:
            parts = parts[:-1]
        heads.add("".join(words(" ".join(parts))))
    for name in own:
        tokens = words(name)
        if len(tokens) > 1 and mentions(text, name) and any(
                "".join(tokens[i:]) in heads for i in range(1, len(tokens))):
            return True
    return any(re.search(rf"(?<![a-z0-9]){body}[ .-]?\d", fold(text))
               for body in (r"[\W_]*".join("".join(words(n))) for n in broader if words(n)))


def shows_any(phrases, text: str) -> bool:
    return any(mentions(text, p) for p in phrases)


def shows(entry, fact: Fact, text: str, names: Names | None = None) -> bool:
    """Does ``text`` show the value of ``fact`` (of ``entry``)? One general rule per kind of value.

    URLs count only for ``url``/``repository`` and arXiv ids; names, numbers and dates inside a
    link's path are no mention of them.
    """
    key, value = fact.key, fact.value.value
    names = names or Names()
    if key in URL_KEYS:
        return shows_url(value, text)
    if key == "arxiv":  # not inside a longer number
        return _found_alone(text, value, _DIGIT_OR_DOT, _DIGIT)
    if key == "wikidata":
        return _found_alone(text, value, _WORD_CHAR, _DIGIT)
    if key in REF_TARGETS and REF_TARGETS[key] == "papers":
        return shows_any(names.get("papers", value), text)  # its title, an alias or its arXiv id
    text = without_urls(text)
    if key in NAME_KEYS:
        return mentions(text, value)
    if key == "family":
        spelled = names.get("models", value)
        return shows_any(spelled, text) or \
            any(shows_member_of(stem, text) for n in spelled for stem in family_stems(n))
    if key in REF_TARGETS and REF_TARGETS[key] == "techniques":
        spelled = names.get("techniques", value)
        if shows_any([*spelled, *filter(None, map(participle, spelled))], text + unshared(text)):
            return True
        return key == "broader" and shows_kind_of(names.get("techniques", entry.id), spelled, text)
    if key in REF_TARGETS:
        return shows_any(names.get(REF_TARGETS[key], value), text)
    if key in COUNT_KEYS:
        return shows_count(key, value, text)
    if key in DATE_KEYS:
        return shows_date(value.text, text)
    if key in PROSE_KEYS:
        return shows_prose(value, text)
    if key == "license":  # its id, its label (without a remark in parentheses), its usual spellings
        label = re.sub(r"\s*\([^()]*\)\s*$", "", ALL_LICENSES.get(value, ""))
        return shows_any([value, *([label] if label else []), *LICENSE_WORDS.get(value, [])], text)
    if key == "open_weights":
        closed = shows_any(CLOSED_WORDS, text)
        return closed if value is False else (shows_any(OPEN_WORDS, text) and not closed)
    if key == "country":
        return re.search(rf"\b{re.escape(value)}\b", text) is not None or \
            shows_any(COUNTRIES.get(value, []), text)
    if key == "architecture" and value == "other":  # a layout that is none of the Transformer's three
        return shows_any(OTHER_ARCHITECTURE_WORDS, text)
    if key in ("architecture", "modalities"):
        return _shows_choice(value, text)
    return False


def _shows_choice(value: str, text: str) -> bool:
    """A choice's own word; 'decoder' alone means decoder-only only when no encoder is named."""
    if value == "decoder-only" and mentions(text, "encoder decoder"):
        return mentions(text, "decoder only")
    if value == "encoder-only" and mentions(text, "encoder decoder"):
        return mentions(text, "encoder only")
    return shows_any([value, *CHOICE_WORDS.get(value, [])], text)


class SourceText:
    """Reads what a source says: a seed line or an upstream line, with the lines either side (and,
    for a row of a Markdown table, its cells under their column's header)."""

    SEED = re.compile(r"^seed:([A-Za-z0-9_.-]+):([1-9]\d*)$")
    PERMALINK = re.compile(r"^https://github\.com/([^/]+/[^/]+)/blob/([0-9a-f]{40})/([^#]+)#L([1-9]\d*)$")

    def __init__(self, shared: Path | str | None = None, project_root: Path | str | None = None) -> None:
        root = Path(project_root) if project_root else Path(__file__).resolve().parents[2]
        self.shared = Path(shared) if shared else root.parent / "shared"

    @lru_cache(maxsize=None)
    def lines(self, relative: str) -> tuple[str, ...]:
        """The lines of a file under ``shared`` (a leading byte order mark dropped); () if unreadable."""
        try:
            text = (self.shared / relative).read_text(encoding="utf-8")
        except OSError:
            return ()
        return tuple(text.lstrip("\ufeff").splitlines())

    @lru_cache(maxsize=None)
    def upstream(self) -> dict[tuple[str, str, str], str]:
        """(owner/repo, commit, path) -> file in ``upstream/``, from the table of its README."""
        table = {}
        for line in self.lines("upstream/README.md"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) >= 4 and re.fullmatch(r"[0-9a-f]{40}", cells[2]):
                repo = cells[1].split()[0]
                table[(repo.lower(), cells[2], cells[3].strip("`"))] = "upstream/" + cells[0].strip("`")
        return table

    def locate(self, source: str) -> tuple[str, int] | None:
        """The file under ``shared`` and the 1-based line a source cites, or None."""
        seed = self.SEED.match(source.strip())
        if seed:
            return "seeds/" + seed.group(1), int(seed.group(2))
        link = self.PERMALINK.match(source.strip())
        if link:
            repo, commit, path, line = link.groups()
            file = self.upstream().get((repo.lower(), commit, path))
            return (file, int(line)) if file else None
        return None

    def read(self, source: str, around: int = 1) -> str | None:
        """Line L of the cited file with ``around`` lines either side (L-1 and L+1 by default);
        None for a page we cannot read here."""
        where = self.locate(source)
        if where is None:
            return None
        lines = self.lines(where[0])
        if not 1 <= where[1] <= len(lines):
            return None
        text = "\n".join(lines[max(0, where[1] - 1 - around): where[1] + around])
        cells = table_cells(lines, where[1] - 1)
        return text + "\n" + cells if cells else text


def _row(line: str) -> list[str] | None:
    """The cells of a Markdown table row ('| a | b |'), or None for any other line."""
    stripped = line.strip()
    if not (stripped.startswith("|") and stripped.endswith("|") and len(stripped) > 1):
        return None
    return [c.strip().strip("*").strip() for c in stripped[1:-1].split("|")]


def table_cells(lines, index: int) -> str:
    """A Markdown table row read with its table's header: each cell as 'Header: cell' and
    'cell Header' ('MoE: Yes', 'Sliding Window Attention Type'), leaving out cells that say no
    ('No', '-', 'N/A', empty). '' for a line that is no body row of a table."""
    row = _row(lines[index])
    if row is None:
        return ""
    top = index
    while top > 0 and _row(lines[top - 1]) is not None:
        top -= 1
    header = _row(lines[top])
    separator = _row(lines[top + 1]) if top + 1 < len(lines) else None
    if index <= top + 1 or not separator or not all(re.fullmatch(r":?-+:?", c) for c in separator if c):
        return ""
    pairs = [(h, c) for h, c in zip(header, row)
             if h and not re.fullmatch(r"(?i)|-+|n/?a|none|no\b.*", c)]
    return "\n".join(f"{h}: {c} / {c} {h}" for h, c in pairs)
