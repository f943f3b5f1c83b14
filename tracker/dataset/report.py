"""What a `load_dataset` run tells a person (load.py): what it seeded, or how the database differs from the
shipped files. Apart from the load itself because it only words a result."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field


@dataclass
class LoadReport:
    """What a `load_dataset` run did: seeded an empty database (`created`), or wrote nothing and found how the
    database differs from the shipped files (`differences`, by kind; `changed_files` since the seed)."""

    seeded: bool = False
    seed: object = None
    created: Counter = field(default_factory=Counter)
    differences: defaultdict = field(default_factory=lambda: defaultdict(list))
    changed_files: list[str] = field(default_factory=list)

    @property
    def changed_anything(self) -> bool:
        return self.seeded

    def lines(self, *, examples: int | None = 5) -> list[str]:
        """The report for a person; `examples`: how many of each kind of difference to name (None: all)."""
        if self.seeded:
            lines = ["Loaded the shipped dataset into the empty database:"]
            return lines + [f"  {name}: {count}" for name, count in self.created.items() if count]
        when = f" on {self.seed.loaded_at:%Y-%m-%d %H:%M} UTC" if self.seed else " before loads were recorded"
        lines = [f"The database is the record (dataset loaded{when}): nothing was written."]
        if self.changed_files:
            lines.append(f"Shipped files changed since that load: {', '.join(self.changed_files)}.")
        differences = {kind: found for kind, found in self.differences.items() if found}
        if not differences:
            lines.append("It holds everything the shipped files hold.")
            return lines
        lines.append("How it differs from the shipped files (editors' and imports' work, or changed files):")
        for kind, found in differences.items():
            shown = found if examples is None else found[:examples]
            more = f", and {len(found) - len(shown)} more" if len(found) > len(shown) else ""
            lines.append(f"  {kind}: {len(found)} ({'; '.join(shown)}{more})")
        if any("activation" in kind for kind in differences):
            lines.append(
                "To review the shipped activation dates as an import (preview, apply, undo in the admin; rows "
                "edited since the load are kept as they are): manage.py load_dataset --review"
            )
        return lines
