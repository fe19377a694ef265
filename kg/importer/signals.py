"""General signals of what a markdown item is, read from its text alone: the shape of its name, the
kind of page its link is, the words of the section it sits in, and the noun its description
defines it by. Naming conventions and vocabulary, never a list of model names."""
from __future__ import annotations

import re
from urllib.parse import urlparse

#: Acronyms that name a field or a kind of thing, never one model ('Screen AI', 'Drag Your GAN').
GENERIC_ACRONYMS = {"ai", "agi", "llm", "llms", "ml", "nlp", "api", "apis", "gpu", "gpus", "cpu", "tpu", "rl",
                    "gan", "gans", "slm", "slms", "vlm", "vlms", "mllm", "mllms", "lmm", "lmms", "moe", "rag",
                    "sql", "ui", "ide", "cli", "sdk", "faq", "pdf", "ceo", "us", "uk", "ama", "io", "i/o",
                    "oss", "sota", "hw", "mcp", "gpt", "gpts"}
FUNCTION_WORDS = {"a", "an", "the", "of", "for", "with", "in", "on", "to", "via", "by", "from", "as", "and",
                  "or", "is", "are", "be", "can", "do", "does", "how", "what", "why", "when", "we", "you",
                  "your", "our", "its", "it", "at", "into", "beyond", "without", "about", "not", "no", "all",
                  "more", "less", "than", "vs", "their", "this", "that", "my", "us", "up"}
PREPOSITIONS = {"of", "for", "with", "in", "on", "to", "via", "by", "from", "as", "at", "into", "across",
                "over", "under", "vs", "than", "that", "which", "who", "where", "when", "while", "using",
                "based", "designed", "trained", "built", "developed", "created", "capable", "including",
                "focused", "released", "launched", "used", "called", "named", "without", "within", "through",
                "per", "after", "before", "against", "toward", "towards", "like", "incl", "e.g", "such",
                "behind", "beyond", "among", "between", "around", "about"}
#: Past participles that end a noun phrase when they follow its noun ('a model optimized for…').
PARTICIPLES = re.compile(r"^[a-z-]+(ed|ing)$")
#: Verbs that make a name a headline or a sentence ('Upstage's 70B Language Model Outperforms GPT-3.5').
HEADLINE_VERBS = {"outperforms", "outperform", "beats", "beat", "launches", "launched", "releases", "released",
                  "introduces", "introducing", "announces", "announced", "reveals", "says", "predicts",
                  "shows", "goes", "unveils", "tops", "is", "are", "was", "were", "can", "will", "could",
                  "should", "must", "killed", "continues", "fill", "fills", "ship", "ships", "disproves",
                  "bringing", "put", "makes", "wins", "learns", "matters", "isn't", "aren't", "won't",
                  "can't", "don't", "doesn't", "leaked", "leaks"}
#: Words of a name that say what the item is when it is not a model.
NAME_WORDS = {
    "leaderboard": "a leaderboard", "learboard": "a leaderboard", "arena": "a leaderboard",
    "benchmark": "a benchmark", "benchmarks": "a benchmark", "bench": "a benchmark",
    "survey": "a survey", "review": "a review", "guide": "a guide", "guides": "a guide",
    "guidelines": "a guide", "tutorial": "a tutorial", "course": "a course", "courses": "a course",
    "book": "a book", "cookbook": "a cookbook", "awesome": "a link list", "list": "a link list",
    "index": "an index", "library": "a software library", "libraries": "a link list",
    "prompts": "a prompt collection", "website": "a website", "overview": "an overview",
    "comparison": "a comparison", "comparing": "a comparison", "explained": "an explainer",
    "explainer": "an explainer", "introduction": "an explainer", "spreadsheet": "a spreadsheet",
    "newsletter": "a newsletter", "blog": "a blog", "podcast": "a podcast", "interview": "an interview",
    "ama": "an interview", "devday": "an event", "keynote": "an event", "conference": "an event",
    "slides": "slides", "cheatsheet": "a cheat sheet", "cheatsheets": "a cheat sheet",
    "lecture": "a lecture", "notebook": "an application", "sdk": "a software kit", "api": "an API",
    "cli": "a command-line tool", "ide": "a tool", "studio": "a tool", "hub": "a hub", "store": "a store",
    "plugin": "a product feature", "plugins": "a product feature", "framework": "a framework",
    "protocol": "a protocol", "spec": "a specification", "specification": "a specification",
    "format": "a format", "guardrails": "a tool", "firewall": "a tool", "tokenizer": "a tool",
    "tokeniser": "a tool", "dataset": "a dataset", "datasets": "a dataset", "papers": "a link list",
    "resources": "a link list", "playground": "a tool", "visualizer": "a tool", "visualization": "a tool",
    "report": "a report", "definition": "a definition", "landscape": "an overview",
    "taxonomy": "an overview", "timeline": "an overview", "analysis": "an analysis", "principles": "a guide",
    "tips": "a guide", "paradigms": "an explainer", "recap": "a news item", "announcements": "a news item",
    "primer": "an explainer", "lessons": "an essay", "reflections": "an essay", "hype": "an essay",
    "agents": "an agent product", "assist": "a tool", "instructions": "a product feature",
    "atlas": "a product", "enterprise": "a product", "tools": "a tool", "capability": "an explainer",
    "capabilities": "an explainer",
}
#: Phrases of a name or description that say what the item is, from the words around them.
NAME_PHRASES = {"how to": "an explainer", "what is": "an explainer", "what are": "an explainer",
                "from scratch": "a tutorial", "official website": "a website", "state of": "a report"}
#: Phrases that say what an item is wherever they stand, in its name or its description.
TELLING_PHRASES = {"official website": "a website", "ai software engineer": "an AI agent product",
                   "provides free": "a service"}
#: Last words of a name that make it a method rather than a model ('Chain of Thought', 'Ring Attention').
TECHNIQUE_HEADS = {"attention", "prompting", "prompt", "optimization", "optimisation", "learning", "tuning",
                   "fine-tuning", "finetuning", "embedding", "embeddings", "encoding", "encodings", "pruning",
                   "sparsification", "distillation", "quantization", "merging", "decoding", "sampling",
                   "search", "generation", "alignment", "thought", "thoughts", "consistency", "refine",
                   "refinement", "adaptation", "networks", "network", "layer", "layers", "connections",
                   "hyper-connections", "mechanism", "method", "technique", "algorithm", "feedback",
                   "jailbreaking", "injection", "leaking", "teaming", "unlearning", "training", "routing",
                   "caching", "experts", "depths", "transformer", "transformers", "prediction", "scaling",
                   "verification", "hierarchy", "module", "prompts", "tuner", "rewards",
                   "lora", "compression", "extension", "act", "adapters", "decomposition", "tune"}
#: Nouns a description defines an item by: a model, a method, or something else.
MODEL_NOUNS = {"model", "models", "llm", "llms", "slm", "slms", "vlm", "vlms", "mllm", "mllms", "lmm", "lmms",
               "chatbot"}
ORGANIZATION_NOUNS = {"company", "companies", "startup", "lab", "laboratory", "institute", "organization",
                      "organisation", "nonprofit", "non-profit", "university", "foundation", "corporation"}
TECHNIQUE_NOUNS = {"method", "methods", "technique", "techniques", "approach", "algorithm", "procedure",
                   "paradigm", "mechanism", "strategy", "process", "pattern", "architecture"}
OTHER_NOUNS = {"agent": "an agent product", "agents": "an agent product",
               "tool": "a tool", "tools": "a tool", "toolkit": "a tool", "ide": "a tool", "cli": "a tool",
               "reproduction": "a reproduction project", "implementation": "an implementation",
               "sdk": "a software kit", "api": "an API", "app": "an application", "application": "an application",
               "platform": "a platform", "framework": "a framework", "library": "a software library",
               "service": "a service", "product": "a product", "feature": "a product feature",
               "workspace": "a product", "interface": "a tool", "website": "a website", "site": "a website",
               "hub": "a hub", "store": "a store", "benchmark": "a benchmark", "leaderboard": "a leaderboard",
               "dataset": "a dataset", "corpus": "a dataset", "survey": "a survey", "report": "a report",
               "guide": "a guide", "tutorial": "a tutorial", "course": "a course", "book": "a book",
               "cookbook": "a cookbook", "newsletter": "a newsletter", "blog": "a blog", "post": "a post",
               "article": "an article", "podcast": "a podcast", "video": "a video", "lecture": "a lecture",
               "slides": "slides", "spreadsheet": "a spreadsheet", "list": "a link list", "index": "an index",
               "catalog": "a catalog", "protocol": "a protocol", "standard": "a standard", "format": "a format",
               "specification": "a specification", "study": "a study", "analysis": "an analysis",
               "comparison": "a comparison", "comparisons": "a comparison", "overview": "an overview",
               "explainer": "an explainer", "dashboard": "a tool", "visualization": "a tool",
               "scripts": "code", "notebook": "an application",
               "prompts": "a prompt collection", "summary": "a summary", "roadmap": "a roadmap",
               "collection": "a collection", "tier": "a product tier",
               "system": "a system", "engineer": "an agent product", "partner": "a product", "suite": "a tool",
               "ecosystem": "a product"}
_NOUNS = MODEL_NOUNS | TECHNIQUE_NOUNS | ORGANIZATION_NOUNS | set(OTHER_NOUNS)
#: 'A family of models', 'a series of bilingual language models': a container of models is a model family.
CONTAINERS = {"family", "series", "suite", "collection", "set", "lineup", "line", "version"}
#: Section heading words: the kind of list a section is.
SECTION_WORDS = {
    "models": {"models", "model", "llms", "llm", "slms", "vlms", "mllms", "lmms", "providers", "families",
               "family", "checkpoints"},
    "products": {"products", "product", "platform", "platforms", "apps", "applications", "services",
                 "features"},
    "resources": {"guides", "guide", "libraries", "library", "resources", "tutorials", "courses",
                  "books", "tools", "toolkits", "frameworks", "implementations", "reading", "links",
                  "cheatsheets", "datasets", "benchmarks", "leaderboards", "news", "blogs", "videos", "talks",
                  "podcasts", "newsletters", "community", "communities"},
    "research": {"survey", "surveys", "papers", "paper", "research", "reference", "references", "techniques",
                 "methods", "topics", "comparisons", "studies"},
}
#: Words of a field of work ('Prompt Engineering', 'Model Merging and Continual Adaptation'): a heading
#: made only of these lists papers and methods; one field among domains ('Code, Math, and Software
#: Engineering') does not.
TOPIC_WORDS = {"engineering", "prompting", "training", "pretraining", "pre-training", "post-training",
               "optimization", "tuning", "fine-tuning", "alignment", "evaluation", "reasoning", "safety",
               "security", "quantization", "pruning", "sparsification", "distillation", "merging", "adaptation",
               "tokenization", "inference", "attention", "retrieval", "grounding", "interpretability",
               "hallucination", "theory"}
_HOWTO = {"build", "building", "learn", "learning", "train", "use", "using", "getting", "get", "how", "what"}
_SIZE = re.compile(r"(?<![\w.])\d+(?:\.\d+)?\s?[BMT](?![\w])|\d+x\d+B\b|\b\d+(?:\.\d+)?\s?(?:billion|trillion)\b",
                   re.I)
_YEAR = re.compile(r"^(19|20)\d\d$")


def plain_name(name: str) -> str:
    """The name without parentheses or bracketed dates: 'Chain of Thought (CoT)' -> 'Chain of Thought'."""
    return re.sub(r"\s*[(\[][^)\]]*[)\]]", "", name).strip() or name


def words_of(text: str) -> list[str]:
    return [w.strip(".,;:!?'\"`*_()[]") for w in text.split() if w.strip(".,;:!?'\"`*_()[]")]


def is_coined(word: str) -> bool:
    """A made-up name rather than a dictionary word: letters with digits (Qwen3, R1, 4M-21), inner
    capitals (OLMo, DeepSeek, ImageBind) or capitals (DBRX, CLIP); not a year nor 'AI', 'LLM'."""
    if not word or word.lower() in GENERIC_ACRONYMS or _YEAR.match(word):
        return False
    if any(c.isdigit() for c in word) and any(c.isalpha() for c in word) or re.fullmatch(r"\d+(\.\d+)+", word):
        return True
    for part in re.split(r"[-/.]", word):
        if part.lower() in GENERIC_ACRONYMS:
            continue
        letters = [c for c in part if c.isalpha()]
        if len(letters) >= 2 and all(c.isupper() for c in letters) or any(c.isupper() for c in part[1:]):
            return True
    return False


def has_version(name: str) -> bool:
    """A version number after the first word ('GPT 1', 'Qwen 3.6', 'Kimi K2.6'), or a word mixing
    letters and digits ('Qwen3', 'o3'), but not a year ('OpenAI DevDay 2023') nor a count ('10 Tips')."""
    words = words_of(plain_name(name))
    for index, word in enumerate(words):
        if _YEAR.match(word) or not any(c.isdigit() for c in word):
            continue
        if index == 0 and re.fullmatch(r"\d+\+?", word):
            continue  # '5 Approaches To…', '13+ Attention Mechanisms'
        return True
    return False


def has_size(name: str) -> bool:
    """A parameter count in the name: 'Mistral 7B', 'SaulLM-7B', 'Mixtral 8x7B'."""
    return bool(re.search(r"(?<![\d.])\d+(?:\.\d+)?[BMT]\b|\d+x\d+B\b", name, re.I))


def name_shape(name: str) -> str:
    """'name' (OLMo, Claude Opus 4.5, Koala), 'named title' ('ESM3: A frontier language model'),
    'title' (a paper's or a post's words), 'headline' (a sentence with a verb) or 'phrase'."""
    plain = plain_name(name)
    words = words_of(plain)
    if not words:
        return "phrase"
    if any(w.lower() in HEADLINE_VERBS for w in words[1:]) and len(words) >= 3 or plain.endswith("?") \
            or len(words) >= 2 and words[0].lower() in HEADLINE_VERBS and words[0].lower().endswith(("s", "ed")):
        return "headline"  # '… Model Outperforms GPT-3.5', 'Outperforms GPT-3.5', 'Released a codebase'

    head, colon, tail = plain.partition(": ")
    if colon and len(words_of(tail)) == 1 and is_coined(tail.strip()):
        return "name"  # 'rinna: bilingual-gpt-neox-4b': an owner, then the name
    if colon and len(words_of(head)) <= 3 and name_shape(head) == "name" and len(words_of(tail)) >= 2:
        return "named title"
    if colon:
        return "title"
    coined = [i for i, w in enumerate(words) if is_coined(w)]
    if not coined and has_version(plain):
        coined = [i for i, w in enumerate(words) if any(c.isdigit() for c in w)]
    functions = [i for i, w in enumerate(words) if w.lower() in FUNCTION_WORDS]
    about = [i for i in functions if words[i].lower() not in ("and", "or", "&")]
    if len(words) == 1:
        return "name"
    if words[0].endswith("ing") and words[0][0].isupper() and "-" not in words[0]:
        return "title"  # 'Understanding Multimodal LLMs', 'Optimizing Memory Usage…': a post's title
    if coined and len(words) <= 6 and len(functions) <= 1 and not (about and about[0] < coined[0]):
        return "name"  # 'Claude 3.7 Sonnet', 'Grok-2 and Grok-2 mini'; not 'Frontend coding with GPT-5'
    if not functions and len(words) <= 5 and all(w[0].isupper() or w[0].isdigit() for w in words):
        return "name"  # 'Falcon LLM', 'Amazon Nova Foundation Models': Title Case words name a thing
    return "title" if len(words) >= 4 or functions else "phrase"


def name_head(name: str) -> str:
    """The part of a name that names: 'ESM3' of 'ESM3: A frontier language model', else the name."""
    head, colon, tail = plain_name(name).partition(": ")
    if colon and len(words_of(tail)) == 1 and is_coined(tail.strip()):
        return tail.strip()
    return head if colon and name_shape(name) == "named title" else plain_name(name)


def technique_head(name: str) -> str | None:
    """The method word that ends a name or its spelled-out parenthesis ('Chain of Thought (CoT)',
    'mHC (Manifold-Constrained Hyper-Connections)', 'Mixture-of-Depths', 'PagedAttention'), if any;
    never for a versioned name ('Phi-4-reasoning')."""
    candidates = [plain_name(name)] + re.findall(r"\(([^)]*\s[^)]*)\)", name)
    for text in candidates:
        words = words_of(text)
        if not words or any(c.isdigit() for c in words[-1]):
            continue
        last = words[-1].strip("+")
        for word in (last, last.split("-")[-1], re.split(r"(?<=[a-z])(?=[A-Z])", last)[-1]):
            if word.lower() in TECHNIQUE_HEADS:
                return word.lower()
    return None


def name_reason(name: str) -> str | None:
    """What the words of a name say the item is, when it is not a model: 'a leaderboard ('arena')'."""
    lower = plain_name(name).lower()
    for phrase, what in NAME_PHRASES.items():
        if phrase in lower:
            return f"{what} ('{phrase}')"
    for word in re.findall(r"[a-z][a-z'-]*", lower):
        for part in {word, word.split("-")[-1], word.removesuffix("'s")}:
            if part in NAME_WORDS:
                return f"{NAME_WORDS[part]} ('{part}')"
        if word.endswith("bench") and word != "bench":
            return f"a benchmark ('{word}')"
    if "notebook" in lower:
        return "an application ('notebook')"
    return None


def link_kind(url: str | None) -> str | None:
    """What a link points at, from its host and path: 'paper', 'post', 'social', 'video', 'code',
    'model card', 'model collection', 'organization page', 'app', 'docs', 'dataset', 'site page'."""
    if not url:
        return None
    if not re.match(r"https?://", url):
        return "site page" if not url.startswith("#") else None
    parsed = urlparse(url)
    host = (parsed.hostname or "").removeprefix("www.").lower()
    path = [p for p in parsed.path.split("/") if p]
    lower = url.lower()
    if host in ("arxiv.org", "openreview.net", "aclanthology.org", "papers.ssrn.com", "researchgate.net",
                "doi.org", "biorxiv.org", "semanticscholar.org", "proceedings.neurips.cc") \
            or host == "nature.com" and path[:1] == ["articles"] or lower.split("?")[0].endswith(".pdf"):
        return "paper"
    if host in ("twitter.com", "x.com", "t.co", "linkedin.com", "reddit.com", "threads.net", "bsky.app",
                "x.gd"):
        return "social"
    if host in ("youtube.com", "youtu.be", "vimeo.com"):
        return "video"
    if host == "huggingface.co":
        if not path:
            return "site page"
        if path[0] in ("blog", "learn"):
            return "post"
        if path[0] == "spaces":
            return "app"
        if path[0] == "datasets":
            return "dataset"
        if path[0] == "docs":
            return "docs"
        if path[0] == "papers":
            return "paper"
        if path[0] == "collections":
            return "model collection"
        return "model card" if len(path) >= 2 else "organization page"
    if host == "github.com" or host == "gitlab.com":
        return "code" if len(path) >= 2 else "organization page"
    if host == "kaggle.com" and path[:1] == ["models"]:
        return "model card"
    if host.startswith(("chat.", "app.")) or path[-1:] == ["app"]:
        return "app"
    if host.startswith(("docs.", "help.", "learn.", "cookbook.", "platform.")) or "docs" in path:
        return "docs"
    if host in ("npmjs.com", "pypi.org"):
        return "package"
    if host.endswith("wikipedia.org"):
        return "encyclopedia"
    if host.startswith(("blog.", "newsletter.", "magazine.", "medium.", "substack.")) or host.endswith(
            ("medium.com", "substack.com", "towardsdatascience.com")) or {"blog", "blogs", "blog-post",
                                                                           "posts", "p"} & set(path[:2]):
        return "post"
    return "page"


def organization_page(url: str | None) -> str | None:
    """The account of a link to an organization's page on a code or model host ('dair-ai')."""
    if link_kind(url) != "organization page":
        return None
    parts = [p for p in urlparse(url).path.split("/") if p]
    return parts[0] if parts else None


def section_kind(section: tuple[str, ...]) -> str:
    """What the nearest telling heading says its list holds: 'models', 'products', 'resources' or
    'research' (papers, methods and notes); 'general' when no heading tells."""
    for title in reversed(section):
        kind = heading_kind(title)
        if kind:
            return kind
    return "general"


def heading_kind(title: str) -> str | None:
    """The kind a heading names by the last word of each of its conjuncts ('Law, Forecasting, and
    Temporal Models' -> models; 'Survey on Large Language Models' -> research), if any."""
    text = re.sub(r"\([^)]*\)", "", title).lower()
    first = words_of(text)[:1]
    if first and first[0] in _HOWTO:
        return "resources"  # 'Build LLMs from Scratch': a how-to
    kinds, topics, conjuncts = [], 0, 0
    for conjunct in re.split(r",|\band\b|&|:|/", text):
        words = []
        for word in words_of(conjunct):
            if word in PREPOSITIONS and words:
                break
            words.append(word)
        if not words:
            continue
        last = words[-1]
        if last in ("collection", "list", "zoo", "catalog", "catalogue") and len(words) > 1:
            last = words[-2]
        kinds += [kind for kind, vocabulary in SECTION_WORDS.items() if last in vocabulary]
        conjuncts += 1
        topics += last in TOPIC_WORDS
    for kind in ("models", "products", "resources", "research"):
        if kind in kinds:
            return kind
    return "research" if conjuncts and topics == conjuncts else None


#: Nouns of another kind that a version number does not outweigh ('a reproduction of DeepSeek-R1').
STRONG_OTHERS = {"a reproduction project"}
_VERB = re.compile(r"^[a-z-]{3,}[^su]s$")  # 'Extends', 'Converts': a description that says what it does
_DEFINITION = re.compile(r"(?:^|(?<=[\s(]))([A-Z0-9][\w.\-*+]*(?:\s+[A-Z0-9][\w.\-*+]*){0,2})"
                         r"\s*(?:,|\bis\b|\bare\b)"
                         r"\s+(?:also\s+)?((?:a|an|the)\s+[^.;:]{3,100})")


def defined_kind(text: str) -> tuple[str | None, str]:
    """What a description's first phrase defines the item as: ('model', word), ('technique', word),
    ('organization', word), ('other', what it is) or (None, '') — 'an open source reasoning model. …' -> ('model', 'model')."""
    chunks = re.split(r"(?<=[a-z0-9)])[.;!?](?:\s|$)|\s[-–—>]+\s|: ", text)
    return _phrase_kind(re.sub(r"\([^)]*\)", " ", chunks[0])) if chunks else (None, "")


def self_definition(name: str, text: str) -> tuple[str | None, str]:
    """What a description says the item is in so many words: 'ScreenAI, a model designed…',
    'Kanana, a series of bilingual language models', '… is a model trained by OpenAI'."""
    text = re.sub(r"\([^)]*\)", " ", text)
    lead = re.match(r"\s*(?:is|are)\s+((?:a|an|the)\s+.*)", text)
    if lead:
        return _phrase_kind(lead.group(1))
    key = re.sub(r"[^a-z0-9]", "", name_head(name).lower())
    for match in _DEFINITION.finditer(text):
        subject = re.sub(r"[^a-z0-9]", "", match.group(1).lower())
        if key and subject and (subject == key or subject.startswith(key) or key.startswith(subject)):
            kind = _phrase_kind(match.group(2))
            if kind[0]:
                return kind
    return None, ""


def _phrase_kind(chunk: str) -> tuple[str | None, str]:
    """The kind the head noun of a noun phrase names: the last word of its first conjunct that
    ends with a known noun ('Truly open language model and framework' -> model)."""
    tokens = [t for t in chunk.split() if words_of(t)]
    original = [words_of(t)[0] for t in tokens]
    commas = [t.rstrip(")]'\"`*_").endswith(",") for t in tokens]
    words = [w.lower() for w in original]
    if not words or words[0] in PREPOSITIONS or _VERB.match(words[0]) and words[0] not in _NOUNS:
        return None, ""  # 'In the superalignment problem, …', 'Extends LLM context by…': not a definition
    if words[0].endswith("ing") and "-" not in words[0] and words[0] not in ("leading", "pioneering"):
        return None, ""  # 'Training language models to…': a gerund, not a definition
    conjuncts: list[list[str]] = [[]]
    for index, word in enumerate(words):
        phrase = conjuncts[-1]
        ends_phrase = word in PREPOSITIONS or PARTICIPLES.match(word) and phrase[-1:] and phrase[-1] in _NOUNS \
            and len(phrase) > 1
        if phrase and ends_phrase:
            following = original[index + 1:index + 6]
            if phrase[-1] in CONTAINERS and word == "of" and (
                    {w.lower() for w in following} & MODEL_NOUNS or following and has_version(following[0])):
                return "model", f"{phrase[-1]} of models"
            break
        if word in ("and", "&", "or"):
            conjuncts.append([])
            continue
        phrase.append(word)
        if commas[index]:
            conjuncts.append([])
    for conjunct in conjuncts:
        if conjunct and conjunct[-1] in _NOUNS:
            head = conjunct[-1]
            if head in MODEL_NOUNS:
                return "model", head
            if head in TECHNIQUE_NOUNS:
                return "technique", head
            if head in ORGANIZATION_NOUNS:
                return "organization", head
            return "other", OTHER_NOUNS[head]
    return None, ""


def states_size(text: str) -> bool:
    """A parameter count in a description: '671B', '1.6T-parameter', '3.6 billion parameter'."""
    return bool(_SIZE.search(text)) and bool(re.search(r"\d\s?[BT]\b|\d[BT]-|billion|trillion|param", text))
