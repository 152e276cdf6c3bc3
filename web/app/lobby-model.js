// The lobby of one team: members online, the shared selected contest, and starting or rejoining a training.

import { api } from "./api.js";
import { t } from "./i18n.js";
import { RoomModel } from "./room-model.js";
import { showError, toasts } from "./toast.js";

export class LobbyModel extends RoomModel {
  /**
   * @param {number} teamId
   * @param {{id: string}} me
   * @param {(sessionId: string) => void} enterTraining called on TRAINING_STARTED
   */
  constructor(teamId, me, enterTraining) {
    super("/ws/lobby", { team_id: String(teamId), user_id: String(me.id) }, me);
    this.teamId = teamId;
    this.enterTraining = enterTraining;
    this.contests = [];
    this.selectedContestId = null;
    this.running = null; // the team's IN_PROCESS session, if any
    this.starting = false;
  }

  async start() {
    this.socket.start();
    try {
      const [, contests] = await Promise.all([this.loadTeam(), api.contests()]);
      if (this.stopped) return;
      this.contests = contests;
      this.changed();
      await this.refreshRunning();
    } catch (error) {
      if (!this.stopped) showError(error);
    }
  }

  async refreshRunning() {
    try {
      const running = await api.runningSession(this.teamId);
      if (this.stopped) return;
      this.running = running;
      this.changed();
    } catch (error) {
      if (!this.stopped) showError(error);
    }
  }

  receive(type, payload) {
    if (this.presence(type, payload)) {
      this.changed();
      return;
    }
    switch (type) {
      case "ROOM_STATE":
        this.online = new Map(payload.users.map((u) => [u.id, u]));
        this.selectedContestId = payload.selectedContestId ?? null;
        this.refreshRunning(); // a training may have started or ended while we were away
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
      if (!this.stopped) this.enterTraining(session.id); // also when the server answers without a broadcast
    } catch (error) {
      showError(error);
    } finally {
      this.starting = false;
      this.changed();
    }
  }
}
