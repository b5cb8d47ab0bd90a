"""Throughput and latency of the whole text safety pipeline (`TextPipeline.check`), on one core.

    python bench/safety_text.py [--messages 20000] [--names rules,contact]

Messages are a mix of ordinary chat lines and abusive manoeuvres (about one in five), made
unique so that the normalisation cache does not flatter the figures. Prints messages per
second, p50/p99/max latency per message, and the mean time spent in each detector.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from papote.safety.base import Content, Context
from papote.safety.pipeline import TextPipeline

ORDINARY = [
    "salut tout le monde ça va ?",
    "quelqu'un a vu le match hier soir ? quel but à la 90e",
    "je suis crevé, journée de boulot interminable",
    "mdrrr t'es trop drôle",
    "on fait une partie de fortnite ce soir ?",
    "je vais te tuer au prochain round, prépare toi",
    "bon appétit, moi c'est pâtes carbo ce soir",
    "qui regarde la série de ce soir ?",
    "j'ai mon bac de français demain, je stresse",
    "il pleut encore à Lyon, marre",
    "ma fille a 12 ans et elle rentre en 5e",
    "en cas d'urgence c'est le 112, ou le 15 pour le samu",
    "vous connaissez un bon resto vers Bastille ?",
    "jpp de ce prof, il nous donne 3 contrôles la même semaine",
    "wsh bien ou quoi ?",
    "trop bien le concert hier, l'ambiance de ouf",
    "quelqu'un pour m'aider en maths ? les dérivées je comprends rien",
    "lol ce chat qui tombe du canapé",
    "bonne nuit à tous, à demain",
    "dire 'sale pd' c'est homophobe, arrête",
    "j'ai rendez-vous chez le médecin à 15h",
    "tu penses quoi du dernier album ?",
    "les salles de shoot font débat, vous en pensez quoi ?",
    "hello everyone, anyone from Marseille here?",
    "je cherche des potes pour aller courir le dimanche matin",
    "ptdr il a cru que c'était vrai",
    "vous avez des conseils pour un premier rendez-vous ? lieu public je pense",
    "ce jeu est trop dur, je meurs toutes les 5 minutes",
]
ABUSIVE = [
    "ajoute moi sur snap lea_fictive92 on sera plus tranquille",
    "mon 06 : zéro six douze trente-quatre cinquante-six soixante-dix-huit",
    "🍃❄️💊 dispo, 10€ le g, livraison rapide",
    "t'as quel âge ? tes parents sont là ? envoie une photo de toi",
    "échange de pics de jeunes, mp pour le lien",
    "je vais balancer tes nudes à tous tes contacts",
    "clique ici pour doubler tes bitcoins : fictif-invest.xyz",
    "viens chez moi ce soir, viens seule",
    "je veux en finir, j'en peux plus",
    "je sais où tu habites, fais gaffe à toi",
    "ferme ta gueule s a l o p e",
    "ѕnаpсhаt: lea_fictive92",
    "les arabes sont des rats",
    "envoie une photo de toi nue",
]
FILLERS = ["ok", "bon", "bref", "voilà", "genre", "quoi", "hein", "enfin", "du coup", "en fait"]
CONTEXTS = [
    Context(channel="room", room_audience="all", sender_age_band="adult", sender_seconds_here=3600.0),
    Context(channel="room", room_audience="minors", sender_age_band="minor", sender_seconds_here=3600.0),
    Context(channel="dm", sender_age_band="adult", recipient_age_band="adult", sender_seconds_here=3600.0),
    Context(channel="dm", sender_age_band="adult", recipient_age_band="minor", sender_seconds_here=3600.0),
]


def messages(count: int, seed: int = 7) -> list[tuple[str, Context]]:
    """`count` unique messages, about one in five abusive."""
    rng = random.Random(seed)
    out: list[tuple[str, Context]] = []
    for index in range(count):
        base = rng.choice(ABUSIVE) if rng.random() < 0.2 else rng.choice(ORDINARY)
        # A filler and a made-up word make every text unique (no cache hit) without adding digits.
        word = "".join(rng.choice("bcdfghjklmnprstvz") + rng.choice("aeiou") for _ in range(3))
        text = f"{base} {rng.choice(FILLERS)} {word}" if index % 2 else f"{word} {base}"
        out.append((text, rng.choice(CONTEXTS)))
    return out


def percentile(sorted_values: Sequence[float], fraction: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(fraction * len(sorted_values)))]


def run(pipeline: TextPipeline, batch: list[tuple[str, Context]]) -> None:
    for text, context in batch[:500]:  # warm-up: caches of per-character folds, lazy imports
        pipeline.check(text + " warm", context)
    latencies: list[float] = []
    gc.collect()
    gc.disable()
    start = time.perf_counter()
    cpu_start = time.process_time()
    for text, context in batch:
        begin = time.perf_counter()
        pipeline.check(text, context)
        latencies.append(time.perf_counter() - begin)
    total = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    gc.enable()
    latencies.sort()
    print(f"detectors: {', '.join(pipeline.names)}")
    print(
        f"messages: {len(batch)}  wall {total:.2f} s -> {len(batch) / total:,.0f} messages/s; "
        f"CPU {cpu:.2f} s -> {len(batch) / cpu:,.0f} messages/s per core"
    )
    print(
        f"latency per message: mean {statistics.fmean(latencies) * 1e6:.0f} µs, "
        f"p50 {percentile(latencies, 0.50) * 1e6:.0f} µs, p99 {percentile(latencies, 0.99) * 1e6:.0f} µs, "
        f"max {latencies[-1] * 1e6:.0f} µs"
    )


def per_detector(pipeline: TextPipeline, batch: list[tuple[str, Context]]) -> None:
    """Mean time per detector, each on fresh `Content` (normalisation counted in the first one)."""
    from papote.safety.normalize import normalize

    normalize.cache_clear()
    spent = dict.fromkeys(pipeline.names, 0.0)
    for text, context in batch:
        content = Content(text + " again", context)
        for detector in pipeline.detectors:
            begin = time.perf_counter()
            detector.inspect(content)
            spent[detector.name] += time.perf_counter() - begin
    shown = ", ".join(f"{name} {seconds / len(batch) * 1e6:.0f} µs" for name, seconds in spent.items())
    print(f"mean per detector (first one includes normalisation): {shown}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--names", help="comma-separated detector names (default: every available one)")
    args = parser.parse_args(argv)
    names = args.names.split(",") if args.names else None
    begin = time.perf_counter()
    pipeline = TextPipeline.default(names=names)
    print(f"pipeline built in {time.perf_counter() - begin:.2f} s; load average {os.getloadavg()[0]:.1f}")
    batch = messages(args.messages)
    run(pipeline, batch)
    per_detector(pipeline, batch[: min(len(batch), 5000)])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
