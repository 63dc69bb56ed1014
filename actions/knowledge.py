"""The action server's single copies of the methodology, scenarios, scorer, role-play coach,
quiz master, storage and the role-plays in progress.

Opened by `warm_up()`, which the action server calls before it serves (actions/server.py),
never at import: importing the actions package reads no files, and a broken data file is
reported in the action server's log with the file and key that are wrong. A broken scenario
file is logged and skipped; the others stay available.
"""

import gc
import logging
from functools import lru_cache

from sqlalchemy.exc import SQLAlchemyError

from bot.adapters.storage import Database, Storage, open_database
from bot.adapters.storage.roleplays import RolePlays
from bot.adapters.storage.scenario_uploads import ScenarioUploads
from bot.methodology import Methodology, load_methodology
from bot.practice.customer import CustomerSimulator
from bot.practice.quiz import QuizMaster
from bot.practice.roleplay import RolePlayCoach
from bot.practice.scenarios import load_scenarios
from bot.scoring import start_scorer

logger = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def methodology() -> Methodology:
    return load_methodology()


@lru_cache(maxsize=1)
def roleplay_coach() -> RolePlayCoach:
    library = load_scenarios(methodology())
    for error in library.errors:
        logger.error("scenario file skipped: %s", error)
    coach = RolePlayCoach(
        methodology(),
        library.scenarios,
        start_scorer(methodology()),
        CustomerSimulator(methodology(), library.scenarios),
    )
    # What the server built to start (Rasa's imports, jieba's dictionary, the scenarios)
    # never dies: out of the garbage collector's sight, a full collection no longer scans it,
    # which took about 230 ms every few hundred turns while every action in flight waited.
    gc.freeze()
    return coach


def warm_up() -> None:
    """Load everything a turn needs and play one throwaway turn, so the first rep after a
    restart does not wait for files, jieba's dictionary or the database (about 2.6 s once);
    the Rasa server warms itself up too (channels/delivery.py).
    A database that is down is logged: the server still starts and each turn says so."""
    coach = roleplay_coach()
    quiz_master()
    scenario_id = next(iter(coach.scenarios))
    persona_id = next(iter(methodology().personas))
    play, _ = coach.start("warm-up", scenario_id, persona_id, seed=0)
    coach.rep_says(play, "您好,我想先了解一下贵公司现在的情况。", "ask_situation", 0.9)
    try:
        # A role-play read that finds nothing: the queries a turn reads with, compiled once.
        roleplays().at({"id": "warm-up", "turns": 1, "last": 0}, "warm-up")
        offer_uploaded_scenarios()
    except SQLAlchemyError:
        logger.exception("database not reachable at start-up; turns will ask to resend")
    logger.info("action server ready: %d scenarios", len(coach.scenarios))


@lru_cache(maxsize=1)
def quiz_master() -> QuizMaster:
    return QuizMaster(methodology())


@lru_cache(maxsize=1)
def database() -> Database:
    """The project database (DATABASE_URL, default var/salescoach.db), schema upgraded."""
    return open_database()


@lru_cache(maxsize=1)
def storage() -> Storage:
    return Storage(database())


@lru_cache(maxsize=1)
def roleplays() -> RolePlays:
    return RolePlays(storage())


@lru_cache(maxsize=1)
def scenario_uploads() -> ScenarioUploads:
    return ScenarioUploads(database())


def offer_uploaded_scenarios() -> None:
    """Add scenarios admins uploaded in the web app since the last look (the coach and the
    simulator share one scenario dict). A database that is down leaves the built-ins."""
    coach = roleplay_coach()
    try:
        coach.scenarios.update(scenario_uploads().usable(methodology(), coach.scenarios))
    except SQLAlchemyError:
        logger.exception("uploaded scenarios not read; offering the built-in ones")
