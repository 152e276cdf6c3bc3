// The training workspace: problems, the shared editor, statement / submissions / comments, timer and dialogs.

import { html, useEffect, useMemo, useRef, useState } from "ui";
import { getUser } from "../auth.js";
import { formatDuration } from "../clock.js";
import { SharedEditor } from "../editor.js";
import { plural, t } from "../i18n.js";
import { router } from "../router.js";
import { useObservable } from "../store.js";
import { TrainingModel } from "../training-model.js";
import { ConnectionBadge, Dialog, Header, userName } from "./common.js";
import { CommentsPanel, StandingsDialog, StatementPanel, SubmissionDialog, SubmissionsPanel } from "./panels.js";

const STATUS_MARK = { PASSED: "✓", FAILED: "✗", NOT_SUBMITTED: "" };

function Timer({ model }) {
  const [, tick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => tick((n) => n + 1), 250);
    return () => clearInterval(timer);
  }, []);
  const left = model.countdown.secondsLeft();
  const over = model.contestOver || left === 0;
  return html`<span class=${`timer ${over ? "over" : left !== null && left < 300 ? "soon" : ""}`} data-testid="timer"
    title=${t("training.timeLeft")}>${left === null ? "…" : over ? t(model.finishedEarly ? "training.finishedEarly" : "training.over") : formatDuration(left)}</span>`;
}

function ProblemList({ model }) {
  return html`<nav class="problems" aria-label=${t("training.problems")}>
    <ul>
      ${model.problems.map((p) => {
        const state = model.states[p.alias] || {};
        const assignee = model.assignments[p.alias];
        return html`<li key=${p.alias}>
          <button type="button" class=${`problem ${p.alias === model.selected ? "active" : ""} status-${state.status}`}
            data-testid="problem" data-alias=${p.alias} data-status=${state.status} onClick=${() => model.select(p.alias)}>
            <span class="alias">${p.alias}</span>
            <span class="pname">${p.name}</span>
            <span class="mark" data-testid="problem-status">${STATUS_MARK[state.status] ?? ""}</span>
            <span class="meta">
              ${state.attempts > 0 && html`<span data-testid="attempts">${state.attempts} ${plural(state.attempts, t("problem.attempt1"), t("problem.attempt2"), t("problem.attempt5"))}</span>`}
              ${assignee && html`<span class="assignee" data-testid="assignee">→ ${userName(assignee)}</span>`}
              <span class="tl">${(p.limits?.[0]?.timeLimit ?? 0) / 1000} ${t("unit.s")}</span>
            </span>
          </button>
        </li>`;
      })}
    </ul>
  </nav>`;
}

function EditorPane({ model, alias }) {
  const host = useRef(null);
  const editor = useRef(null);
  useEffect(() => {
    editor.current = new SharedEditor(host.current, {
      onChange: (a, text) => model.sync.edit(a, text),
      onSubmit: () => model.selected && model.submit(model.selected),
    });
    model.editor = editor.current;
    return () => {
      model.editor = null;
      editor.current.destroy();
    };
  }, [model]);
  useEffect(() => {
    if (!alias) return;
    editor.current.setLanguage(model.compilerStyle(alias));
    editor.current.show(alias, model.sync.text(alias));
    if (!performance.getEntriesByName("tt:editor").length) performance.mark("tt:editor"); // read by the load-time test
  }, [alias]);
  useEffect(() => {
    // after every draw: control and the compiler (hence the highlighting) may have changed
    editor.current.setReadOnly(!model.inControl);
    if (alias) editor.current.setLanguage(model.compilerStyle(alias));
  });

  const problem = model.problem(alias);
  const controller = model.controllerId ? model.user(model.controllerId) : null;
  const offered = problem?.compilers || model.compilerList.map((c) => c.id);
  const assignee = model.assignments[alias];
  return html`<section class="editor-pane">
    <div class="toolbar">
      <label class="field">${t("editor.compiler")}
        <select data-testid="compiler" value=${model.compilerFor(alias)} onChange=${(e) => model.selectCompiler(alias, e.currentTarget.value)}>
          ${model.compilerList.filter((c) => offered.includes(c.id)).map((c) => html`<option key=${c.id} value=${c.id}>${c.name}</option>`)}
        </select></label>
      <label class="field">${t("editor.assignee")}
        <select data-testid="assign" value=${assignee?.id || ""} onChange=${(e) => model.assign(alias, e.currentTarget.value || null)}>
          <option value="">${t("editor.nobody")}</option>
          ${model.members.map((m) => html`<option key=${m.id} value=${m.id}>${userName(m)}</option>`)}
        </select></label>
      <span class="spacer"></span>
      <span class=${`control ${model.inControl ? "mine" : ""}`} data-testid="controller">
        ${model.inControl ? t("editor.youControl") : controller ? t("editor.controlledBy", { name: userName(controller) }) : t("editor.nobodyControls")}
      </span>
      ${!model.inControl && html`<button type="button" data-testid="take-control" onClick=${() => model.takeControl()}>${t("editor.takeControl")}</button>`}
      <button type="button" class="primary" data-testid="submit" title="Ctrl+Enter" onClick=${() => model.submit(alias)}>${t("editor.submit")}</button>
    </div>
    ${!model.inControl && html`<div class="readonly-note" data-testid="readonly-note">${t("editor.readOnly")}</div>`}
    <div class="editor-host" ref=${host} data-testid="editor" data-readonly=${!model.inControl}></div>
  </section>`;
}

function SidePanel({ model, alias, onOpenSubmission }) {
  const [tab, setTab] = useState("statement");
  const count = [...model.submissions.values()].filter((s) => s.problemAlias === alias).length;
  const comments = model.comments.get(alias)?.length;
  const tabs = [
    ["statement", t("training.statement")],
    ["submissions", `${t("training.submissions")}${count ? ` (${count})` : ""}`],
    ["comments", `${t("training.comments")}${comments ? ` (${comments})` : ""}`],
  ];
  return html`<section class="side">
    <div class="tabs" role="tablist">
      ${tabs.map(([id, label]) => html`<button type="button" role="tab" key=${id} aria-selected=${tab === id}
        class=${tab === id ? "active" : ""} data-testid=${`tab-${id}`} onClick=${() => setTab(id)}>${label}</button>`)}
    </div>
    <div class="tab-body">
      ${tab === "statement" && html`<${StatementPanel} model=${model} alias=${alias} />`}
      ${tab === "submissions" && html`<${SubmissionsPanel} model=${model} alias=${alias} onOpen=${onOpenSubmission} />`}
      ${tab === "comments" && html`<${CommentsPanel} model=${model} alias=${alias} />`}
    </div>
  </section>`;
}

export function WorkspaceScreen({ sessionId, onSignOut }) {
  const model = useMemo(
    () => new TrainingModel(sessionId, getUser(), (teamId) => router.go(teamId ? `/lobby/${teamId}` : "/teams")),
    [sessionId],
  );
  useObservable(model);
  const [openSubmission, setOpenSubmission] = useState(null);
  const [confirmFinish, setConfirmFinish] = useState(false);
  const [dismissedOver, setDismissedOver] = useState(false);
  useEffect(() => {
    model.start();
    const onKey = (event) => {
      // Ctrl+Enter submits from anywhere but a text box (the editor handles its own)
      if ((event.ctrlKey || event.metaKey) && event.key === "Enter" && !event.target.closest?.("textarea, input, .cm-editor")) {
        event.preventDefault();
        if (model.selected) model.submit(model.selected);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => {
      window.removeEventListener("keydown", onKey);
      model.stop();
    };
  }, [model]);

  const alias = model.selected;
  return html`<div class="screen workspace-screen">
    <${Header} onSignOut=${onSignOut}>
      <span class="crumb">
        ${model.session ? html`<a href=${`#/lobby/${model.session.team_id}`}>${model.team?.name || t("lobby.title", { team: "" })}</a> / ` : ""}
        <span data-testid="contest-name">${model.contest?.name || "…"}</span></span>
      <${Timer} model=${model} />
      <${ConnectionBadge} state=${model.connection} detail=${model.connectionDetail} onReconnect=${() => model.socket.restart()} />
      <span class="people-inline" data-testid="online-list">
        ${model.people.map((u) => html`<span key=${u.id} class=${`person ${model.online.has(u.id) ? "online" : "offline"}`}
          data-testid="member" data-online=${model.online.has(u.id)} title=${userName(u)}><span class="dot"></span>${userName(u)}</span>`)}
      </span>
      <button type="button" data-testid="open-standings" onClick=${() => model.openStandings(true)}>${t("standings.title")}</button>
      <button type="button" class="danger" data-testid="finish" onClick=${() => setConfirmFinish(true)}>${t("training.finish")}</button>
    </${Header}>
    <main class="workspace" data-testid="workspace" data-synced=${model.synced}>
      <${ProblemList} model=${model} />
      ${alias
        ? html`<${EditorPane} model=${model} alias=${alias} />
            <${SidePanel} model=${model} alias=${alias} onOpenSubmission=${setOpenSubmission} />`
        : model.loadError
          ? html`<div class="page"><p class="form-error" data-testid="load-error">${model.loadError}</p>
              <a href="#/teams">${t("teams.title")}</a></div>`
          : html`<p class="muted">${t("common.loading")}</p>`}
    </main>
    ${openSubmission && html`<${SubmissionDialog} model=${model} submission=${openSubmission} onClose=${() => setOpenSubmission(null)} />`}
    ${model.standingsOpen && html`<${StandingsDialog} model=${model} onClose=${() => model.openStandings(false)} />`}
    ${confirmFinish &&
    html`<${Dialog} title=${t("training.finish")} onClose=${() => setConfirmFinish(false)} testid="finish-dialog">
      <p>${t("training.finishConfirm")}</p>
      <div class="dialog-actions">
        <button type="button" onClick=${() => setConfirmFinish(false)}>${t("common.cancel")}</button>
        <button type="button" class="danger" data-testid="confirm-finish" onClick=${() => (setConfirmFinish(false), model.finish())}>${t("training.finish")}</button>
      </div>
    </${Dialog}>`}
    ${model.contestOver && !dismissedOver &&
    html`<${Dialog} title=${t(model.finishedEarly ? "training.finishedEarlyTitle" : "training.contestOver")}
      onClose=${() => setDismissedOver(true)} testid="contest-over">
      <p>${t(model.finishedEarly ? "training.finishedEarlyText" : "training.contestOverText")}</p>
      <div class="dialog-actions">
        <button type="button" onClick=${() => setDismissedOver(true)}>${t("training.keepUpsolving")}</button>
        <button type="button" class="primary" data-testid="finish-after-contest" onClick=${() => model.finish()}>${t("training.finish")}</button>
      </div>
    </${Dialog}>`}
  </div>`;
}
