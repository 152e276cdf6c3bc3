// The lobby of one team: members online, the shared selected contest, and starting or rejoining a training.

import { api } from "./api.js";
import { t } from "./i18n.js";
import { RoomSocket } from "./socket.js";
import { Observable } from "./store.js";
import { showError, toasts } from "./toast.js";

export class LobbyModel extends Observable {
  /**
   * @param {number} teamId
   * @param {{id: string}} me
   * @param {(sessionId: string) => void} enterTraining called on TRAINING_STARTED
   */
  constructor(teamId, me, enterTraining) {
    super();
    this.teamId = teamId;
    this.me = me;
    this.enterTraining = enterTraining;
    this.team = null;
    this.contests = [];
    this.online = new Map(); // userId -> user
    this.selectedContestId = null;
    this.running = null; // the team's IN_PROCESS session, if any
    this.connection = "connecting";
    this.connectionDetail = null;
    this.starting = false;
    this.socket = new RoomSocket(
      "/ws/lobby",
      { team_id: String(teamId), user_id: String(me.id) },
      {
        onMessage: (type, payload) => this.receive(type, payload),
        onState: (state, detail) => {
          this.connection = state;
          this.connectionDetail = detail;
          if (state !== "open") this.online.clear(); // presence is unknown until the next ROOM_STATE
          this.changed();
        },
      },
    );
  }

  async start() {
    this.socket.start();
    try {
      const [team, contests] = await Promise.all([api.team(this.teamId), api.contests()]);
      this.team = team;
      this.contests = contests;
      this.changed();
      await this.refreshRunning();
    } catch (error) {
      showError(error);
    }
  }

  stop() {
    this.socket.stop();
  }

  async refreshRunning() {
    try {
      this.running = await api.runningSession(this.teamId);
      this.changed();
    } catch (error) {
      showError(error);
    }
  }

  member(userId) {
    return this.team?.members.find((m) => m.id === String(userId)) || this.online.get(String(userId)) || null;
  }

  receive(type, payload) {
    switch (type) {
      case "ROOM_STATE":
        this.online = new Map(payload.users.map((u) => [u.id, u]));
        this.selectedContestId = payload.selectedContestId ?? null;
        this.refreshRunning(); // a training may have started or ended while we were away
        break;
      case "USER_JOIN": {
        const id = String(payload.userId);
        const known = this.member(id);
        this.online.set(id, known || { id, login: id });
        if (!known) api.team(this.teamId).then((team) => ((this.team = team), this.changed()), showError);
        break;
      }
      case "USER_LEAVE":
        this.online.delete(String(payload.userId));
        break;
      case "USER":
        if (payload.user?.id) this.online.set(String(payload.user.id), payload.user);
        break;
      case "CONTEST_SELECTED":
        this.selectedContestId = payload.contestId;
        break;
      case "TRAINING_STARTED":
        this.enterTraining(payload.id);
        return;
      case "TRAINING_FINISHED":
      case "CONTEST_FINISHED":
        this.refreshRunning();
        break;
      case "ERROR":
        toasts.show(t("error.server", { message: payload.message || payload.code }), "error");
        break;
      default:
        return;
    }
    this.changed();
  }

  /** Share the chosen contest with the team (applied when the server echoes it). */
  selectContest(contestId) {
    if (!this.socket.send("CONTEST_SELECTED", { contestId })) toasts.show(t("error.offline"), "error");
  }

  /** Start the team's training on the selected contest; everyone follows on TRAINING_STARTED. */
  async startTraining() {
    if (this.selectedContestId === null) return;
    this.starting = true;
    this.changed();
    try {
      const session = await api.startTraining(this.teamId, this.selectedContestId);
      this.enterTraining(session.id); // also when the server answers without a broadcast
    } catch (error) {
      showError(error);
    } finally {
      this.starting = false;
      this.changed();
    }
  }
}
