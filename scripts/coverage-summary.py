#!/usr/bin/env python3
"""Prints line and branch coverage per assembly from the Cobertura files coverlet wrote under a folder.

Usage: scripts/coverage-summary.py FOLDER [--lowest N]

Several test projects cover the same assembly (Tcd.Cli.Tests runs Tcd.Models too), so the files are merged line by
line: a line counts as covered when any run hit it, a branch point keeps the most conditions any run covered.
--lowest N also lists each assembly's N classes with the most uncovered lines, where tests would gain the most.
"""
import argparse
import os
import pathlib
import re
import sys
import xml.etree.ElementTree as ElementTree

CONDITIONS = re.compile(r"\((\d+)/(\d+)\)")


def read_runs(folder):
    """(assembly, class, file, line) -> [hit, covered conditions, conditions], merged over every Cobertura file."""
    lines = {}
    files = sorted(pathlib.Path(folder).rglob("coverage.cobertura.xml"))
    for path in files:
        root = ElementTree.parse(path).getroot()
        # File names are relative to the run's common source folder, which differs between test projects.
        sources = [source.text or "" for source in root.iter("source")]
        for package in root.iter("package"):
            for cls in package.iter("class"):
                # Compiler-generated classes (lambdas, iterators, async state machines) belong to their declaring class.
                name = cls.get("name").split("/")[0]
                file = source_file(sources, cls.get("filename"))
                for line in cls.find("lines").iter("line"):
                    key = (package.get("name"), name, file, int(line.get("number")))
                    merged = lines.setdefault(key, [False, 0, 0])
                    merged[0] |= int(line.get("hits")) > 0
                    conditions = CONDITIONS.search(line.get("condition-coverage") or "")
                    if conditions:
                        merged[1] = max(merged[1], int(conditions.group(1)))
                        merged[2] = max(merged[2], int(conditions.group(2)))
    return files, lines


def source_file(sources, name):
    candidates = [os.path.join(source, name) for source in sources]
    return os.path.normpath(next((path for path in candidates if os.path.exists(path)), candidates[0] if candidates else name))


def percent(part, whole):
    return f"{100.0 * part / whole:5.1f}%" if whole else "    -"


def totals(entries):
    entries = list(entries)
    return (sum(hit for hit, _, _ in entries), len(entries),
            sum(covered for _, covered, _ in entries), sum(total for _, _, total in entries))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder")
    parser.add_argument("--lowest", type=int, default=0, metavar="N")
    arguments = parser.parse_args()
    files, lines = read_runs(arguments.folder)
    if not files:
        sys.exit(f"No coverage.cobertura.xml under {arguments.folder}: run dotnet test with --collect \"XPlat Code Coverage\".")
    if not lines:
        sys.exit(f"The coverage files under {arguments.folder} cover no assembly: coverlet found no source files behind the "
                 "assemblies' debug symbols (a ContinuousIntegrationBuild maps them to /_/; ./test.sh --coverage rebuilds without it).")
    by_assembly = {}
    for (assembly, cls, _, _), entry in lines.items():
        by_assembly.setdefault(assembly, {}).setdefault(cls, []).append(entry)
    print(f"{'assembly':<18} {'lines':>17} {'branches':>17}")
    for assembly in sorted(by_assembly):
        hit, count, covered, conditions = totals(e for entries in by_assembly[assembly].values() for e in entries)
        print(f"{assembly:<18} {percent(hit, count)} {hit:>5}/{count:<5} {percent(covered, conditions)} {covered:>5}/{conditions:<5}")
    for assembly in sorted(by_assembly) if arguments.lowest else []:
        print(f"\n{assembly}: classes with the most uncovered lines")
        ranked = sorted(by_assembly[assembly].items(), key=lambda item: -sum(not hit for hit, _, _ in item[1]))
        for cls, entries in ranked[:arguments.lowest]:
            hit, count, covered, conditions = totals(entries)
            print(f"  {count - hit:>4} uncovered  lines {percent(hit, count)}  branches {percent(covered, conditions)}  {cls}")


if __name__ == "__main__":
    main()
