"""Does a source show a fact? Its text (a seed line, an upstream line) and rules per kind of value.

``SourceText.read(source)`` resolves ``seed:F:L`` and the permalinks of the upstream files
listed in ``<shared>/upstream/README.md`` to line L with lines L-1 and L+1; any other source
is a page nobody can read offline (None). ``shows(entry, fact, text, names)`` applies one
general rule per kind of value (names, references, counts, dates, URLs, licences, prose,
choices); ``names`` (``Names.of(catalog)``) supplies the names of the entries a reference
points at. Pure Python: nothing here needs an RDF library.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from kg.catalog.facts import Fact

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
                "encoder-decoder": ["encoder decoder", "seq2seq"], "text": ["text", "language"],
                "image": ["image", "images", "vision", "visual"], "code": ["code", "coding"],
                "audio": ["audio"], "speech": ["speech"], "video": ["video", "videos"], "3d": ["3d"]}
OPEN_WORDS = ["open source", "open sourced", "open weights", "open weight", "oss", "weights released"]
CLOSED_WORDS = ["not open source", "closed source", "proprietary"]
LICENSE_WORDS = {"Apache-2.0": ["apache 2.0", "apache license"], "MIT": ["mit license", "mit"],
                 "non-commercial": ["non commercial", "noncommercial"], "research-only": ["research only"],
                 "proprietary": ["proprietary"], "llama-2-community": ["llama 2 community license"]}
COUNTRIES = {"US": ["united states", "usa", "american"], "FR": ["france", "french"],
             "CN": ["china", "chinese"], "CA": ["canada", "canadian"], "GB": ["united kingdom", "british"],
             "IL": ["israel", "israeli"], "AE": ["uae", "emirati"], "DE": ["germany", "german"]}
STOPWORDS = set("""about above after again also among and been before being between both could does
each from have having here into more most much only other over same should some such than that
their them then there these they this those through under very what when where which while with
would your model models language large based using used uses like well""".split())


def words(text: str) -> list[str]:
    """Lowercase alphanumeric words, accents folded: 'LLaMA-2 (7B)' -> ['llama', '2', '7b']."""
    return re.findall(r"[a-z0-9]+", fold(text))


@lru_cache(maxsize=65536)
def _phrase_pattern(phrase: str) -> re.Pattern | None:
    """'Llama 2' -> a pattern for llama2 / LLaMA-2 / Llama 2 (and 'Big Bird' for 'BigBird'), as whole
    words, not followed by a version number."""
    squashed = "".join(words(phrase))
    if not squashed:
        return None
    body = r"[\W_]*".join(squashed)
    last = re.findall(r"[a-z]+|[0-9]+", squashed)[-1]
    if last.isalpha() and len(last) > 4:  # 'embedding' and 'embeddings' are the same name
        body = body[:-1] + "s?" if body.endswith("s") else body + "s?"
    return re.compile(rf"(?<![a-z0-9]){body}(?![a-z0-9])(?![ .-]?\d+(?:\.\d+)*(?![a-z0-9]))")


@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """Lowercase with accents folded: what names are matched against."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()


def mentions(text: str, phrase: str) -> bool:
    """Does ``phrase`` appear in ``text`` ignoring case, punctuation and spacing ('Llama-2' ~ 'LLaMA 2'),
    as whole words and not as the start of a later version ('LLaMA' is not in 'LLaMA 2')?

    The same matches as ``_phrase_pattern``, found by walking the text's words instead of
    compiling a pattern per phrase (compiling dominated ``kg validate``).
    """
    squashed = "".join(words(phrase))
    if not squashed:
        return False
    last = re.findall(r"[a-z]+|[0-9]+", squashed)[-1]
    wanted = {squashed}
    if last.isalpha() and len(last) > 4:  # 'embedding' and 'embeddings' are the same name
        wanted.add(squashed[:-1] if squashed.endswith("s") else squashed + "s")
    folded = fold(text)
    tokens = _tokens(folded)
    longest = max(len(w) for w in wanted)
    for start in range(len(tokens)):
        joined = ""
        for _begin, end, token in tokens[start:]:
            joined += token
            if len(joined) > longest or not any(w.startswith(joined) for w in wanted):
                break
            if joined in wanted and not _VERSION_AFTER.match(folded, end):
                return True
    return False


_VERSION_AFTER = re.compile(r"[ .-]?\d+(?:\.\d+)*(?![a-z0-9])")


@lru_cache(maxsize=4096)
def _tokens(folded: str) -> tuple[tuple[int, int, str], ...]:
    return tuple((m.start(), m.end(), m.group()) for m in re.finditer(r"[a-z0-9]+", folded))


def without_urls(text: str) -> str:
    """The text with its URLs blanked out: a name inside a link's path is no mention of it."""
    return re.sub(r"https?://[^\s)\]>\"']+", " ", text)


class Names:
    """The names, aliases and id of each entry, by (folder, id), for reference facts."""

    def __init__(self, table: dict[tuple[str, str], list[str]] | None = None) -> None:
        self.table = table or {}

    @classmethod
    def of(cls, entries) -> "Names":
        """From the catalog. A paper is named by its title, aliases and arXiv id, not by its id:
        a paper's id is the short name of what it presents ('llama-2'), which names the model."""
        table = {}
        for e in entries:
            spelled = [v.value for k in ("name", "aliases", "arxiv") for v in e.values.get(k, [])]
            table[(e.kind.folder, e.id)] = spelled + ([] if e.kind.folder == "papers" else [e.id])
        return cls(table)

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
    return re.search(re.escape(bare) + r"/?(?![\w/.-])", text) is not None


def stem(word: str) -> str:
    """A light stem, for prose: 'modelling'/'modeling', 'tokens'/'token'."""
    word = re.sub(r"([b-df-hj-np-tv-z])\1(ing|ed)$", r"\1\2", word)
    return word[:-1] if word.endswith("s") and len(word) > 4 else word


def content_words(text: str) -> set[str]:
    return {stem(w) for w in words(text) if len(w) >= 4 and w not in STOPWORDS}


def shows_prose(value: str, text: str) -> bool:
    """At least 3 distinctive words shared (all of them when the value has fewer)."""
    mine = content_words(value)
    shared = mine & content_words(text)
    return len(shared) >= min(3, len(mine)) and bool(shared)


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
    if key == "arxiv":
        return re.search(rf"(?<![\d.]){re.escape(value)}(?!\d)", text) is not None
    if key == "wikidata":
        return re.search(rf"(?<![\w]){re.escape(value)}(?!\d)", text) is not None
    if key in REF_TARGETS and REF_TARGETS[key] == "papers":
        return shows_any(names.get("papers", value), text)  # its title, an alias or its arXiv id
    text = without_urls(text)
    if key in NAME_KEYS:
        return mentions(text, value)
    if key in REF_TARGETS:
        return shows_any(names.get(REF_TARGETS[key], value), text)
    if key in COUNT_KEYS:
        return shows_count(key, value, text)
    if key in DATE_KEYS:
        return shows_date(value.text, text)
    if key in PROSE_KEYS:
        return shows_prose(value, text)
    if key == "license":
        return shows_any([value, *LICENSE_WORDS.get(value, [])], text)
    if key == "open_weights":
        closed = shows_any(CLOSED_WORDS, text)
        return closed if value is False else (shows_any(OPEN_WORDS, text) and not closed)
    if key == "country":
        return re.search(rf"\b{re.escape(value)}\b", text) is not None or \
            shows_any(COUNTRIES.get(value, []), text)
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
    """Reads what a source says: a seed line or an upstream line, with the lines either side."""

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
        return "\n".join(lines[max(0, where[1] - 1 - around): where[1] + around])
