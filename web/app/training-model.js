// One training session's room as the workspace sees it: REST for what is stored, the socket for what is live.

import { PENDING, api } from "./api.js";
import { Countdown } from "./clock.js";
import { CodeSync } from "./codesync.js";
import { t } from "./i18n.js";
import { RoomModel } from "./room-model.js";
import { showError, toasts } from "./toast.js";

const RESYNC_CLOCK_MS = 60000;
const STANDINGS_DEBOUNCE_MS = 300;
const EXTENSIONS = { python: "py", cpp: "cpp", c: "c", java: "java", kotlin: "kt" };

export class TrainingModel extends RoomModel {
  /**
   * @param {string} sessionId
   * @param {{id: string, login: string}} me
   * @param {(teamId: number) => void} goLobby
   */
  constructor(sessionId, me, goLobby) {
    super("/ws/training", { training_session_id: sessionId, user_id: String(me.id) }, me);
    this.id = sessionId;
    this.goLobby = goLobby;
    this.session = null;
    this.contest = null;
    this.problems = [];
    this.states = {}; // alias -> {status, attempts}
    this.assignments = {};
    this.compilers = {}; // alias -> compiler id chosen in the room
    this.compilerList = [];
    this.controllerId = null;
    this.submissions = new Map();
    this.comments = new Map(); // alias -> [comment]
    this.statements = new Map(); // alias -> sanitised-later HTML
    this.selected = sessionStorage.getItem(`tt.problem.${sessionId}`);
    // the session is over (its time ran out, or a member finished it while this tab was away): every tab shows
    // the same "contest over" screen whether it got CONTEST_FINISHED live or loaded / reconnected afterwards
    this.contestOver = false;
    this.finishedEarly = false; // ...because a member finished it before its time ran out (said differently)
    this.standings = null;
    this.standingsOpen = false;
    this.countdown = new Countdown();
    this.synced = false; // a ROOM_STATE has arrived
    this.editor = null; // the SharedEditor, set by the workspace view
    this.sync = new CodeSync({
      me: me.id,
      send: (alias, code) => this.socket.send("CODE_EDITOR_UPDATE", { code, problemAlias: alias }),
      onRemote: (alias, code) => this.editor?.setText(alias, code),
    });
    this.clockTimer = null;
    this.standingsTimer = null;
    this.loadError = null; // the session could not be loaded (not ours, unknown): said instead of "Loading…"
  }

  async start() {
    this.socket.start();
    try {
      const [session, contest, problems, compilers] = await Promise.all([
        api.session(this.id),
        api.sessionContest(this.id),
        api.problems(this.id),
        api.compilers(),
      ]);
      if (this.stopped) return; // left while loading: nothing to draw, no clock to keep
      this.sessionLoaded(session);
      this.contest = contest;
      this.compilerList = compilers.compilers;
      this.problems = problems.problems;
      for (const p of this.problems) this.states[p.alias] ??= { status: p.status, attempts: p.attempts };
      if (!this.problems.some((p) => p.alias === this.selected)) this.select(this.problems[0]?.alias ?? null);
      this.changed();
      await Promise.all([this.loadTeam(), this.refreshSubmissions(), this.refreshClock()]);
    } catch (error) {
      if (this.stopped) return;
      this.loadError = error.message;
      this.changed();
      showError(error);
      return; // a session we cannot load has no clock to re-anchor
    }
    // set after the awaits: stop() may have run meanwhile, and its clearInterval came too early for this one
    if (!this.stopped) this.clockTimer = setInterval(() => this.refreshClock(), RESYNC_CLOCK_MS);
  }

  stop() {
    super.stop();
    clearInterval(this.clockTimer);
    clearTimeout(this.standingsTimer);
  }

  get teamId() {
    return this.session?.team_id ?? null;
  }

  async refreshClock() {
    try {
      const sentAt = performance.now();
      const participation = await api.participation(this.id);
      if (this.stopped) return;
      this.countdown.anchor(participation, sentAt, performance.now());
      this.changed();
    } catch (error) {
      if (error.status !== 0 && !this.stopped) showError(error);
    }
  }

  async refreshSubmissions() {
    try {
      const { submissions } = await api.submissions(this.id);
      for (const s of submissions) this.putSubmission(s);
      this.changed();
    } catch (error) {
      showError(error);
    }
  }

  putSubmission(s) {
    const old = this.submissions.get(s.id);
    if (old && old.verdict !== PENDING && s.verdict === PENDING) return; // a late "testing" never hides a verdict
    this.submissions.set(s.id, s);
  }

  get inControl() {
    return this.controllerId === String(this.me.id);
  }

  problem(alias) {
    return this.problems.find((p) => p.alias === alias) || null;
  }

  select(alias) {
    this.selected = alias;
    if (alias) sessionStorage.setItem(`tt.problem.${this.id}`, alias);
    this.changed();
  }

  /** The compiler used for a problem: the room's choice, else the first one the problem offers. */
  compilerFor(alias) {
    const offered = this.problem(alias)?.compilers || this.compilerList.map((c) => c.id);
    return this.compilers[alias] || offered[0] || null;
  }

  compilerStyle(alias) {
    const id = this.compilerFor(alias);
    return this.compilerList.find((c) => c.id === id)?.style || null;
  }

  receive(type, payload) {
    if (this.presence(type, payload)) {
      this.changed();
      return;
    }
    switch (type) {
      case "ROOM_STATE":
        this.roomState(payload);
        break;
      case "CODE_EDITOR_UPDATE":
        this.sync.received(payload);
        return; // the editor was updated directly; nothing else on screen depends on the text
      case "CONTROL_TAKEN":
        this.controllerId = String(payload.userId);
        break;
      case "PROBLEM_ASSIGNED":
        this.assignments[payload.problemAlias] = payload.user;
        break;
      case "COMPILER_SELECTED":
        this.compilers[payload.problemAlias] = payload.compiler;
        break;
      case "SUBMISSION_VERDICT_PENDING":
      case "SUBMISSION_VERDICT_RETRIEVED":
        this.putSubmission(payload);
        if (payload.verdict !== PENDING) this.standingsChanged();
        break;
      case "PROBLEM_STATUS_UPDATED":
        this.states[payload.problemAlias] = { ...this.states[payload.problemAlias], status: payload.status };
        this.standingsChanged();
        break;
      case "PROBLEM_ATTEMPTS_UPDATED":
        this.states[payload.problemAlias] = { ...this.states[payload.problemAlias], attempts: payload.attempts };
        break;
      case "PROBLEM_COMMENT_RECEIVED":
      case "PROBLEM_COMMENT_UPDATED":
        this.putComment(payload);
        break;
      case "PROBLEM_COMMENT_DELETED":
        for (const [alias, list] of this.comments) {
          this.comments.set(alias, list.filter((c) => c.id !== payload.commentId));
        }
        break;
      case "CONTEST_FINISHED":
        this.contestOver = true;
        this.refreshClock();
        break;
      case "TRAINING_FINISHED":
        toasts.show(t("training.finishedToast"), "info");
        this.goLobby(payload.teamId ?? this.session?.team_id);
        return;
      case "ERROR":
        this.serverError(payload);
        break;
      default:
        return;
    }
    this.changed();
  }

  /** Take the session record; a finished one is over, early when it finished before its time ran out. */
  sessionLoaded(session) {
    this.session = session;
    if (session.status !== "FINISHED") return;
    this.contestOver = true;
    this.finishedEarly = session.dt_finished !== null && Date.parse(session.dt_finished) < Date.parse(session.ends_at);
  }

  roomState(state) {
    const reconnect = this.synced;
    this.synced = true;
    if (!reconnect) performance.mark("tt:room-state"); // the load-time test reads this mark
    this.online = new Map(state.users.map((u) => [u.id, u]));
    this.controllerId = state.controllerId === null || state.controllerId === undefined ? null : String(state.controllerId);
    this.assignments = { ...state.assignments };
    this.compilers = Object.fromEntries(Object.entries(state.compilers).filter(([, c]) => c));
    for (const p of state.problems) this.states[p.alias] = { status: p.status, attempts: p.attempts };
    if (state.status === "FINISHED" && this.session?.status !== "FINISHED") {
      // it ended while we were away: whether by the clock or by a member, the session record says
      this.contestOver = true;
      api.session(this.id).then((session) => this.stopped || (this.sessionLoaded(session), this.changed()), () => {});
    }
    const mayEdit = this.controllerId === null || this.inControl;
    const { discarded } = this.sync.resync(state.code, mayEdit);
    for (const alias of discarded) toasts.show(t("editor.offlineDiscarded", { alias }), "error");
    if (reconnect) {
      // verdicts, comments and the clock may have moved while we were away
      this.refreshSubmissions();
      this.refreshClock();
      for (const alias of this.comments.keys()) this.loadComments(alias, true);
      if (this.standingsOpen) this.loadStandings();
    }
  }

  serverError(payload) {
    if (payload.requestType === "CODE_EDITOR_UPDATE") {
      if (payload.code === "RATE_LIMITED") {
        this.sync.retry();
        return;
      }
      this.sync.rejected(null);
    }
    const known = `wsError.${payload.code}`;
    const text = t(known) !== known ? t(known) : payload.message || payload.code;
    toasts.show(text, "error");
  }

  send(type, payload) {
    if (this.socket.send(type, payload)) return true;
    toasts.show(t("error.offline"), "error");
    return false;
  }

  takeControl() {
    this.send("CONTROL_TAKEN", { userId: String(this.me.id) });
  }

  assign(alias, userId) {
    const user = userId ? this.members.find((m) => m.id === userId) : null;
    this.send("PROBLEM_ASSIGNED", { user: user || null, problemAlias: alias });
  }

  selectCompiler(alias, compiler) {
    this.send("COMPILER_SELECTED", { compiler, problemAlias: alias });
  }

  /** Submit the editor's text of a problem with its compiler (multipart, as the original client does). */
  async submit(alias) {
    const source = this.sync.text(alias);
    const compiler = this.compilerFor(alias);
    if (!source.trim()) {
      toasts.show(t("submit.empty"), "error");
      return;
    }
    const style = this.compilerStyle(alias);
    try {
      const { runId } = await api.submit(this.id, alias, compiler, source, `${alias}.${EXTENSIONS[style] || "txt"}`);
      if (!this.submissions.has(runId)) {
        this.putSubmission({ id: runId, problemAlias: alias, compiler, verdict: PENDING, authorId: this.me.id, test: 0 });
      }
      toasts.show(t("submit.sent", { alias }), "success");
      this.changed();
    } catch (error) {
      if (error.status === 409 && /Duplicate submission/i.test(error.message)) toasts.show(t("submit.duplicate"), "error");
      else showError(error);
    }
  }

  async statement(alias) {
    if (!this.statements.has(alias)) this.statements.set(alias, await api.statement(this.id, alias));
    return this.statements.get(alias);
  }

  putComment(comment) {
    const list = (this.comments.get(comment.problemAlias) || []).filter((c) => c.id !== comment.id);
    list.push(comment);
    list.sort((a, b) => a.dtCreated.localeCompare(b.dtCreated));
    this.comments.set(comment.problemAlias, list);
  }

  async loadComments(alias, force = false) {
    if (this.comments.has(alias) && !force) return;
    try {
      this.comments.set(alias, await api.comments(this.id, alias));
      this.changed();
    } catch (error) {
      showError(error);
    }
  }

  async addComment(alias, content) {
    this.putComment(await api.addComment(this.id, alias, content));
    this.changed();
  }

  async editComment(commentId, content) {
    this.putComment(await api.editComment(this.id, commentId, content));
    this.changed();
  }

  async deleteComment(comment) {
    await api.deleteComment(this.id, comment.id);
    this.comments.set(comment.problemAlias, (this.comments.get(comment.problemAlias) || []).filter((c) => c.id !== comment.id));
    this.changed();
  }

  async openStandings(open) {
    this.standingsOpen = open;
    this.changed();
    if (open) await this.loadStandings();
  }

  standingsChanged() {
    if (!this.standingsOpen) return;
    clearTimeout(this.standingsTimer);
    this.standingsTimer = setTimeout(() => this.loadStandings(), STANDINGS_DEBOUNCE_MS);
  }

  async loadStandings() {
    try {
      this.standings = await api.standings(this.id);
      this.changed();
    } catch (error) {
      showError(error);
    }
  }

  /** Finish the training for the whole team; everyone goes back to the lobby on TRAINING_FINISHED. */
  async finish() {
    try {
      await api.complete(this.id);
      if (!this.stopped) this.goLobby(this.session?.team_id);
    } catch (error) {
      showError(error);
    }
  }
}
