// The workspace's side panels and dialogs: statement, submissions, comments, submission details, standings.

import { html, useEffect, useState } from "ui";
import { PENDING, api } from "../api.js";
import { formatDuration } from "../clock.js";
import { t } from "../i18n.js";
import { sanitizeHtml } from "../sanitize.js";
import { showError } from "../toast.js";
import { Dialog, userName } from "./common.js";

export function verdictLabel(verdict) {
  if (!verdict || verdict === PENDING) return t("verdict.testing");
  const key = `verdict.${verdict}`;
  return t(key) === key ? verdict : t(key);
}

function VerdictBadge({ submission }) {
  const pending = submission.verdict === PENDING;
  const kind = pending ? "pending" : submission.verdict === "OK" ? "ok" : "bad";
  const test = !pending && submission.verdict !== "OK" && submission.test ? ` (${t("verdict.onTest", { test: submission.test })})` : "";
  return html`<span class=${`verdict verdict-${kind}`} data-testid="verdict" data-verdict=${submission.verdict}>
    ${pending && html`<span class="spinner" aria-hidden="true"></span>`}${verdictLabel(submission.verdict)}${test}</span>`;
}

export function StatementPanel({ model, alias }) {
  const [content, setContent] = useState(null);
  useEffect(() => {
    let live = true;
    setContent(null);
    model.statement(alias).then(
      (text) => {
        if (!live) return;
        setContent(sanitizeHtml(text));
        if (!performance.getEntriesByName("tt:statement").length) performance.mark("tt:statement"); // load-time test
      },
      (error) => live && (showError(error), setContent("")),
    );
    return () => (live = false);
  }, [alias]);
  const problem = model.problem(alias);
  const limits = problem?.limits?.[0];
  return html`<article class="statement" data-testid="statement">
    <h2>${alias}. ${problem?.name}</h2>
    ${limits &&
    html`<p class="limits muted">${t("problem.timeLimit")}: ${limits.timeLimit / 1000} ${t("unit.s")} ·
      ${t("problem.memoryLimit")}: ${Math.round(limits.memoryLimit / 1048576)} ${t("unit.mb")}</p>`}
    ${content === null
      ? html`<p class="muted">${t("common.loading")}</p>`
      : html`<div class="statement-body" dangerouslySetInnerHTML=${{ __html: content }}></div>`}
  </article>`;
}

export function SubmissionsPanel({ model, alias, onOpen }) {
  const list = [...model.submissions.values()].filter((s) => s.problemAlias === alias).sort((a, b) => b.id - a.id);
  if (!list.length) return html`<p class="muted" data-testid="no-submissions">${t("submissions.none")}</p>`;
  return html`<table class="submissions" data-testid="submissions">
    <thead><tr><th>#</th><th>${t("submissions.when")}</th><th>${t("submissions.author")}</th>
      <th>${t("submissions.compiler")}</th><th>${t("submissions.verdict")}</th><th>${t("submissions.time")}</th></tr></thead>
    <tbody>
      ${list.map(
        (s) => html`<tr key=${s.id} data-testid="submission" data-id=${s.id} onClick=${() => onOpen(s)} class="clickable">
          <td>${s.id}</td>
          <td>${s.timeFromStart !== undefined ? formatDuration(s.timeFromStart / 1000) : "…"}</td>
          <td>${userName(model.user(s.authorId))}</td>
          <td>${model.compilerList.find((c) => c.id === s.compiler)?.name || s.compiler}</td>
          <td><${VerdictBadge} submission=${s} /></td>
          <td>${s.verdict !== PENDING && s.time !== undefined ? `${s.time} ${t("unit.ms")}` : ""}</td>
        </tr>`,
      )}
    </tbody>
  </table>`;
}

export function SubmissionDialog({ model, submission, onClose }) {
  const [full, setFull] = useState(null);
  const live = model.submissions.get(submission.id) || submission;
  useEffect(() => {
    api.submissionFull(model.id, submission.id).then(setFull, showError);
  }, [submission.id, live.verdict]);
  return html`<${Dialog} title=${t("submissions.details", { id: submission.id })} onClose=${onClose} testid="submission-dialog" wide>
    <p><${VerdictBadge} submission=${live} /> · ${live.problemAlias} · ${live.compiler}</p>
    ${full?.compileLog && html`<h3>${t("submissions.compileLog")}</h3><pre class="log">${full.compileLog}</pre>`}
    ${full?.checkerLog?.length > 0 &&
    html`<table class="tests" data-testid="checker-log">
      <thead><tr><th>${t("submissions.test")}</th><th>${t("submissions.verdict")}</th><th>${t("submissions.time")}</th>
        <th>${t("submissions.memory")}</th></tr></thead>
      <tbody>${full.checkerLog.map(
        (r) => html`<tr key=${r.sequenceNumber}><td>${r.sequenceNumber} <span class="muted">${r.testName}</span></td>
          <td>${verdictLabel(r.verdict)}</td><td>${r.runningTime} ${t("unit.ms")}</td>
          <td>${Math.round(r.memoryUsed / 1024)} ${t("unit.kb")}</td></tr>`,
      )}</tbody></table>`}
    ${full && html`<h3>${t("submissions.source")}</h3><pre class="log source">${full.source}</pre>`}
  </${Dialog}>`;
}

function CommentItem({ model, comment }) {
  const mine = comment.userId === String(model.me.id);
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(comment.content);
  const save = async (event) => {
    event.preventDefault();
    try {
      await model.editComment(comment.id, text);
      setEditing(false);
    } catch (error) {
      showError(error);
    }
  };
  const remove = async () => {
    try {
      await model.deleteComment(comment);
    } catch (error) {
      showError(error);
    }
  };
  return html`<li class="comment" data-testid="comment" data-id=${comment.id}>
    <div class="comment-head">
      <strong>${comment.userLogin || comment.userFirstName}</strong>
      <span class="muted">${new Date(comment.dtCreated).toLocaleTimeString()}${comment.dtUpdated !== comment.dtCreated ? ` · ${t("comments.edited")}` : ""}</span>
      <span class="spacer"></span>
      ${mine && !editing && html`<button type="button" class="link" data-testid="edit-comment" onClick=${() => (setText(comment.content), setEditing(true))}>${t("comments.edit")}</button>`}
      <button type="button" class="link danger" data-testid="delete-comment" onClick=${remove}>${t("comments.delete")}</button>
    </div>
    ${editing
      ? html`<form onSubmit=${save} class="comment-edit">
          <textarea value=${text} required maxlength="10000" data-testid="comment-edit-text" onInput=${(e) => setText(e.currentTarget.value)}></textarea>
          <div><button type="submit" class="primary" data-testid="save-comment">${t("common.save")}</button>
            <button type="button" onClick=${() => setEditing(false)}>${t("common.cancel")}</button></div>
        </form>`
      : html`<p class="comment-text" data-testid="comment-text">${comment.content}</p>`}
  </li>`;
}

export function CommentsPanel({ model, alias }) {
  const [text, setText] = useState("");
  useEffect(() => {
    model.loadComments(alias);
  }, [alias]);
  const add = async (event) => {
    event.preventDefault();
    if (!text.trim()) return;
    try {
      await model.addComment(alias, text.trim());
      setText("");
    } catch (error) {
      showError(error);
    }
  };
  const list = model.comments.get(alias);
  return html`<div class="comments">
    ${list === undefined
      ? html`<p class="muted">${t("common.loading")}</p>`
      : list.length === 0
        ? html`<p class="muted">${t("comments.none")}</p>`
        : html`<ul data-testid="comments">${list.map((c) => html`<${CommentItem} key=${c.id} model=${model} comment=${c} />`)}</ul>`}
    <form onSubmit=${add} class="comment-form">
      <textarea placeholder=${t("comments.placeholder")} value=${text} maxlength="10000" data-testid="comment-input"
        onInput=${(e) => setText(e.currentTarget.value)}
        onKeyDown=${(e) => (e.ctrlKey || e.metaKey) && e.key === "Enter" && (e.stopPropagation(), add(e))}></textarea>
      <button type="submit" data-testid="add-comment">${t("comments.add")}</button>
    </form>
  </div>`;
}

export function StandingsDialog({ model, onClose }) {
  const data = model.standings;
  return html`<${Dialog} title=${t("standings.title")} onClose=${onClose} testid="standings" wide>
    ${!data
      ? html`<p class="muted">${t("common.loading")}</p>`
      : html`<div class="table-scroll"><table class="standings">
          <thead><tr><th>${t("standings.place")}</th><th>${t("standings.team")}</th>
            ${data.titles.map((title) => html`<th key=${title.name} title=${title.title}>${title.name}</th>`)}
            <th>${t("standings.solved")}</th><th>${t("standings.penalty")}</th></tr></thead>
          <tbody>${data.rows.map((row) => {
            const from = row.placeFrom?.[0];
            const to = row.placeTo?.[0];
            return html`<tr key=${row.participantInfo.id} class=${row.participantInfo.id === model.id ? "ours" : ""}
                data-testid="standings-row" data-session=${row.participantInfo.id}>
              <td>${from === to ? from : `${from}–${to}`}</td>
              <td>${row.participantInfo.name}</td>
              ${row.problemResults.map((r, i) => html`<td key=${i} class=${`cell-${r.status}`} data-testid="standings-cell">
                ${r.status === "ACCEPTED"
                  ? html`+${Number(r.submissionCount) > 1 ? Number(r.submissionCount) - 1 : ""}<small>${formatDuration(r.submitDelay)}</small>`
                  : r.status === "NOT_ACCEPTED"
                    ? html`−${r.submissionCount}`
                    : ""}</td>`)}
              <td data-testid="standings-solved">${row.score}</td><td>${row.penalty}</td>
            </tr>`;
          })}</tbody>
        </table></div>`}
  </${Dialog}>`;
}
