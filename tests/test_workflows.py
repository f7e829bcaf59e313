"""GitHub Actions(.github/workflows)가 README 의 명령을 그대로 실행하는지.

- 밀어 올릴 때(push) 도는 작업이 README 의 "두 가지 명령"(테스트, 책 빌드)을 실행합니다.
- main 에서는 빌드한 _build/html 을 GitHub Pages 에 올립니다.
- 손으로 실행하는(workflow_dispatch) 작업이 GPU 자체 호스팅 러너에서 full 프로필로 nbval 을 돌립니다.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.y*ml"))


def readme_commands() -> list[str]:
    """README 의 '두 가지 명령' 절에 있는 bash 명령들."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = re.search(r"^## 두 가지 명령.*?(?=^## )", text, re.S | re.M)
    assert section, "README.md 에 '## 두 가지 명령' 절이 없습니다"
    blocks = re.findall(r"```bash\n(.*?)```", section.group(), re.S)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


def load(path: Path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["on"] = data.get("on", data.pop(True, None))  # YAML 1.1 은 'on' 을 참/거짓으로 읽습니다
    return data


def triggers(workflow: dict) -> set[str]:
    on = workflow["on"]
    return {on} if isinstance(on, str) else set(on)


def steps(job: dict) -> list[dict]:
    return job.get("steps", [])


def run_lines(job: dict) -> list[str]:
    return [" ".join(line.split()) for step in steps(job) for line in str(step.get("run", "")).splitlines()
            if line.strip()]


def uses(job: dict) -> list[str]:
    return [str(step.get("uses", "")) for step in steps(job)]


@pytest.fixture(scope="module")
def workflows() -> dict[str, dict]:
    assert WORKFLOWS, ".github/workflows 에 워크플로가 없습니다"
    return {path.name: load(path) for path in WORKFLOWS}


def test_readme_has_the_two_commands():
    commands = readme_commands()
    assert any("pytest" in c for c in commands) and any("jupyter-book build" in c for c in commands), commands


def test_push_workflow_runs_the_readme_commands(workflows):
    on_push = [w for w in workflows.values() if "push" in triggers(w)]
    assert on_push, "push 에 도는 워크플로가 없습니다"
    lines = [line for w in on_push for job in w["jobs"].values() for line in run_lines(job)]
    for command in readme_commands():
        assert any(line == command or line.startswith(command + " ") for line in lines), (
            f"push 워크플로가 README 의 명령 `{command}` 을 실행하지 않습니다 (실행하는 줄: {lines})")


def test_main_publishes_the_built_book_to_pages(workflows):
    deploy = [(name, job) for name, w in workflows.items() for job in w["jobs"].values()
              if any(u.startswith("actions/deploy-pages@") for u in uses(job))]
    assert deploy, "actions/deploy-pages 로 Pages 에 올리는 작업이 없습니다"
    name, job = deploy[0]
    workflow = workflows[name]
    assert "push" in triggers(workflow)
    assert "refs/heads/main" in str(job.get("if", "")), f"{name}: Pages 에는 main 에서만 올려야 합니다"
    assert {"pages": "write", "id-token": "write"}.items() <= job.get("permissions", {}).items()
    uploads = [step for j in workflow["jobs"].values() for step in steps(j)
               if str(step.get("uses", "")).startswith("actions/upload-pages-artifact@")]
    assert uploads and uploads[0]["with"]["path"] == "_build/html", "Pages 에 올리는 것은 _build/html 이어야 합니다"
    builder = [j for j in workflow["jobs"].values() if uploads[0] in steps(j)][0]
    build = [c for c in readme_commands() if "jupyter-book build" in c][0]
    assert any(line.startswith(build) for line in run_lines(builder)), f"{name}: `{build}` 로 빌드하지 않습니다"


def test_manual_gpu_job_runs_nbval_in_the_full_profile(workflows):
    manual = [(name, job) for name, w in workflows.items() if triggers(w) == {"workflow_dispatch"}
              for job in w["jobs"].values()]
    gpu = [(name, job) for name, job in manual
           if {"self-hosted", "gpu"} <= set(job["runs-on"] if isinstance(job["runs-on"], list) else [job["runs-on"]])]
    assert gpu, "손으로 실행하는(workflow_dispatch) GPU 자체 호스팅 러너 작업이 없습니다"
    name, job = gpu[0]
    env = {**job.get("env", {}), **{k: v for s in steps(job) for k, v in s.get("env", {}).items()}}
    assert str(env.get("BOOK_FAST", "")) not in ("", "1"), f"{name}: BOOK_FAST=0 (full 프로필)을 정해야 합니다"
    lines = run_lines(job)
    assert any(line.startswith("pip install -r requirements.txt") for line in lines)
    assert any(line.startswith("pytest") and "chapters" in line for line in lines), \
        f"{name}: 장을 nbval 로 실행하는 pytest 줄이 없습니다: {lines}"
