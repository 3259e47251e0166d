"""The `States.*` intrinsic functions and the typed table the evaluator dispatches through.

Each function takes its evaluated `CallArgs` and returns a JSON value. Limits and argument rules
follow the "Input validation" notes of the AWS page
(https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html): array range at
most 1,000 items, encode/decode/hash inputs at most 10,000 characters, JsonMerge shallow only,
MathAdd arguments within 32 bits, and a non-integer where ArrayPartition, ArrayRange, MathRandom
and MathAdd want an integer "rounded off to the nearest integer". Results follow the recorded AWS
executions in the conformance suite (StringSplit drops empty pieces, rounding goes half up as
Java's Math.round does).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import random
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from eventframework.local.engine.intrinsics_values import (
    CallArgs,
    expect_array,
    expect_integer,
    expect_object,
    expect_rounded,
    expect_string,
    json_key,
    render_java,
    render_json,
)

MAX_RANGE_ITEMS = 1000
MAX_TEXT_CHARS = 10000
INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
HASH_ALGORITHMS: Mapping[str, str] = {
    "MD5": "md5",
    "SHA-1": "sha1",
    "SHA-256": "sha256",
    "SHA-384": "sha384",
    "SHA-512": "sha512",
}


@dataclass(frozen=True)
class IntrinsicSpec:
    """One table row: how many arguments the function takes and the code that runs it."""

    min_args: int
    max_args: int | None
    run: Callable[[CallArgs], Any]


# ---- arrays -------------------------------------------------------------------------------------


def array(args: CallArgs) -> Any:
    return list(args.values)


def array_partition(args: CallArgs) -> Any:
    items = expect_array(args, 0, "first argument (the array to partition)")
    size = expect_rounded(args, 1, "chunk size")
    if size <= 0:
        raise args.fail(f"the chunk size must be a positive integer, got {size}")
    return [items[start : start + size] for start in range(0, len(items), size)]


def array_contains(args: CallArgs) -> Any:
    items = expect_array(args, 0, "first argument (the array to search)")
    wanted = json_key(args.values[1])
    return any(json_key(item) == wanted for item in items)


def array_range(args: CallArgs) -> Any:
    start = expect_rounded(args, 0, "start")
    end = expect_rounded(args, 1, "end")
    step = expect_rounded(args, 2, "step")
    if step == 0:
        raise args.fail("the step must not be 0")
    items = range(start, end + (1 if step > 0 else -1), step)  # sized before it is built
    if len(items) > MAX_RANGE_ITEMS:
        raise args.fail(f"the range would hold {len(items)} items; at most {MAX_RANGE_ITEMS} are allowed")
    return list(items)


def array_get_item(args: CallArgs) -> Any:
    items = expect_array(args, 0, "first argument (the array)")
    index = expect_integer(args, 1, "index")
    if not 0 <= index < len(items):
        raise args.fail(f"the index {index} is out of bounds for an array of {len(items)} items")
    return items[index]


def array_length(args: CallArgs) -> Any:
    return len(expect_array(args, 0, "argument"))


def array_unique(args: CallArgs) -> Any:
    seen: set[Any] = set()
    unique: list[Any] = []
    for item in expect_array(args, 0, "argument"):
        key = json_key(item)
        if key not in seen:
            seen.add(key)
            unique.append(item)
    return unique


# ---- encoding and hashing -----------------------------------------------------------------------


def _bounded_text(args: CallArgs, index: int, what: str) -> str:
    text = expect_string(args, index, what)
    if len(text) > MAX_TEXT_CHARS:
        raise args.fail(f"the {what} has {len(text)} characters; at most {MAX_TEXT_CHARS} are allowed")
    return text


def base64_encode(args: CallArgs) -> Any:
    text = _bounded_text(args, 0, "input string")
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def base64_decode(args: CallArgs) -> Any:
    text = _bounded_text(args, 0, "input string")
    try:
        return base64.b64decode(text.encode("ascii"), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeError) as error:
        raise args.fail(f"the input is not Base64-encoded UTF-8 text ({error})") from None


def hash_value(args: CallArgs) -> Any:
    text = _bounded_text(args, 0, "input data")
    algorithm = expect_string(args, 1, "hash algorithm")
    if algorithm not in HASH_ALGORITHMS:
        allowed = ", ".join(HASH_ALGORITHMS)
        raise args.fail(f"the hash algorithm {algorithm!r} is not supported; use one of {allowed}")
    return hashlib.new(HASH_ALGORITHMS[algorithm], text.encode("utf-8")).hexdigest()


# ---- JSON -------------------------------------------------------------------------------------


def json_merge(args: CallArgs) -> Any:
    left = expect_object(args, 0, "first argument")
    right = expect_object(args, 1, "second argument")
    deep = args.values[2]
    if not isinstance(deep, bool):
        raise args.fail("the third argument (deep merge) must be the boolean false")
    if deep:
        raise args.fail("deep merging is not supported; pass false as the third argument")
    return {**left, **right}


def string_to_json(args: CallArgs) -> Any:
    text = expect_string(args, 0, "argument")
    if not text.strip():
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise args.fail(f"the string is not valid JSON ({error.msg} at offset {error.pos})") from None


def json_to_string(args: CallArgs) -> Any:
    return render_json(args.values[0])


# ---- math -------------------------------------------------------------------------------------


def math_random(args: CallArgs) -> Any:
    start = expect_rounded(args, 0, "start")
    end = expect_rounded(args, 1, "end")
    if start >= end:
        raise args.fail(f"the start ({start}) must be less than the end ({end})")
    if len(args.values) == 3:
        seed = expect_integer(args, 2, "seed")
        return random.Random(seed).randrange(start, end)
    return args.env.rng.randrange(start, end)


def math_add(args: CallArgs) -> Any:
    total = 0
    for index, what in enumerate(("first value", "second value")):
        value = expect_rounded(args, index, what)
        if not INT32_MIN <= value <= INT32_MAX:
            raise args.fail(f"the {what} {value} is outside the 32-bit range {INT32_MIN} to {INT32_MAX}")
        total += value
    if not INT32_MIN <= total <= INT32_MAX:
        raise args.fail(f"the sum {total} is outside the 32-bit integer range")
    return total


# ---- strings, identifiers, formatting -----------------------------------------------------------


def string_split(args: CallArgs) -> Any:
    text = expect_string(args, 0, "string to split")
    delimiters = expect_string(args, 1, "delimiter")
    if not delimiters:
        return [text] if text else []
    pieces = re.split("[" + re.escape(delimiters) + "]", text)
    return [piece for piece in pieces if piece]


def new_uuid(args: CallArgs) -> Any:
    return args.env.new_uuid()


def format_string(args: CallArgs) -> Any:
    template = expect_string(args, 0, "first argument (the template)")
    raw = args.raw[0]
    pieces = _template_pieces(args, raw if raw is not None else template)
    fillers = args.values[1:]
    if len(pieces) - 1 != len(fillers):
        raise args.fail(
            f"the template has {len(pieces) - 1} '{{}}' placeholders but {len(fillers)} values were given"
        )
    out = [pieces[0]]
    for filler, piece in zip(fillers, pieces[1:], strict=True):
        out.append(render_java(filler))
        out.append(piece)
    return "".join(out)


def _template_pieces(args: CallArgs, template: str) -> list[str]:
    """Split a template at its `{}` placeholders, honouring `\\{`, `\\}` and `\\\\` escapes."""
    pieces: list[str] = []
    current: list[str] = []
    index = 0
    while index < len(template):
        char = template[index]
        if char == "\\" and index + 1 < len(template):
            current.append(template[index + 1])
            index += 2
            continue
        if template.startswith("{}", index):
            pieces.append("".join(current))
            current = []
            index += 2
            continue
        if char in "{}":
            raise args.fail(f"unescaped {char!r} at offset {index} of the template; write \\{char}")
        current.append(char)
        index += 1
    pieces.append("".join(current))
    return pieces


FUNCTIONS: Mapping[str, IntrinsicSpec] = {
    "States.Format": IntrinsicSpec(1, None, format_string),
    "States.StringToJson": IntrinsicSpec(1, 1, string_to_json),
    "States.JsonToString": IntrinsicSpec(1, 1, json_to_string),
    "States.Array": IntrinsicSpec(0, None, array),
    "States.ArrayPartition": IntrinsicSpec(2, 2, array_partition),
    "States.ArrayContains": IntrinsicSpec(2, 2, array_contains),
    "States.ArrayRange": IntrinsicSpec(3, 3, array_range),
    "States.ArrayGetItem": IntrinsicSpec(2, 2, array_get_item),
    "States.ArrayLength": IntrinsicSpec(1, 1, array_length),
    "States.ArrayUnique": IntrinsicSpec(1, 1, array_unique),
    "States.Base64Encode": IntrinsicSpec(1, 1, base64_encode),
    "States.Base64Decode": IntrinsicSpec(1, 1, base64_decode),
    "States.Hash": IntrinsicSpec(2, 2, hash_value),
    "States.JsonMerge": IntrinsicSpec(3, 3, json_merge),
    "States.MathRandom": IntrinsicSpec(2, 3, math_random),
    "States.MathAdd": IntrinsicSpec(2, 2, math_add),
    "States.StringSplit": IntrinsicSpec(2, 2, string_split),
    "States.UUID": IntrinsicSpec(0, 0, new_uuid),
}
"""Every documented intrinsic, by the name written in definitions; the evaluator's only lookup."""
