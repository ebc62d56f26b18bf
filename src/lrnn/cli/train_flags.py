"""The flags of `lrnn train`, generated from RunConfig's fields, so that a flag and its TOML
key are always the same name; and the table-file flags that predict and evaluate share."""

from __future__ import annotations

import argparse
from dataclasses import fields

from ..errors import LrnnError

GROUP_TITLES = {"data": "data", "model": "model", "training": "training", "output": "output"}


def add_setting_flags(parser: argparse.ArgumentParser, skip: tuple[str, ...] = ()) -> None:
    """One flag per RunConfig field but those in `skip`."""
    from ..config import RunConfig
    from ..config.recipes import describe_default

    groups = {key: parser.add_argument_group(title) for key, title in GROUP_TITLES.items()}
    for f in fields(RunConfig):
        if f.name in skip:
            continue
        meta = f.metadata
        flag = "--" + f.name.replace("_", "-")
        text = f"{meta['help']} (default: {describe_default(f.name, f.default)})"
        group = groups[meta["group"]]
        if f.type in ("bool", "bool | None"):
            group.add_argument(flag, action=argparse.BooleanOptionalAction,
                               default=argparse.SUPPRESS, help=text)
        else:
            options = getattr(meta["parse"], "options", None)
            metavar = "{" + ",".join(options) + "}" if options else meta["metavar"]
            group.add_argument(flag, dest=f.name, default=argparse.SUPPRESS, help=text,
                               metavar=metavar or f.name.upper())


def given_settings(args: argparse.Namespace) -> dict:
    """The settings of --config, then the flags (which win), each parsed."""
    from ..config import read_toml

    values = read_toml(args.config) if "config" in args else {}
    values.update(setting_values(args))
    return values


def setting_values(args: argparse.Namespace) -> dict:
    """The train settings given as flags (only those given), parsed, by config name."""
    from ..config import SETTINGS, parse_setting

    values = {}
    for name, raw in vars(args).items():
        if name in SETTINGS and raw is not None:  # None: a command's own default (tune --out)
            flag = "--" + name.replace("_", "-")
            values[name] = raw if isinstance(raw, bool) else parse_setting(name, raw, flag)
    return values


def add_file_options(parser: argparse.ArgumentParser) -> None:
    """How a table file is written, for predict and evaluate. The help is written here, not
    taken from the settings: loading RunConfig and the recipes for it was ~5 ms of a ~0.17 s
    `lrnn predict` (the values are still parsed by the settings' parsers, when given)."""
    from ..config.names import DEFAULT_DELIMITER_TEXT

    def parsed(name: str):
        def parse(text: str):
            from ..config import parse_setting

            try:
                return parse_setting(name, text, f"--{name}")
            except LrnnError as exc:
                raise argparse.ArgumentTypeError(str(exc)) from None
        return parse

    parser.add_argument("--delimiter", type=parsed("delimiter"), default=None, metavar="CHAR",
                        help=f"field separator (default: {DEFAULT_DELIMITER_TEXT})")
    parser.add_argument("--decimal", choices=(".", ","), default=".",
                        help="decimal mark in numbers (default: .)")
    # default None, not "utf-8": argparse would run the parser on a text default
    parser.add_argument("--encoding", type=parsed("encoding"), default=None,
                        help="text encoding of table files (default: utf-8)")


def file_format(args: argparse.Namespace):
    from ..predict.table_inputs import DEFAULT_ENCODING, FileFormat

    return FileFormat(args.delimiter, args.decimal, args.encoding or DEFAULT_ENCODING)
