// What the lobby and the workspace share: one room's socket, its connection state, the team and who is online.
// A subclass gives `teamId` and `receive(type, payload)`, which starts with presence().

import { api } from "./api.js";
import { RoomSocket } from "./socket.js";
import { Observable } from "./store.js";
import { showError } from "./toast.js";

export class RoomModel extends Observable {
  /**
   * @param {string} path "/ws/lobby" or "/ws/training"
   * @param {Record<string,string>} params the room's query parameters (user_id included)
   * @param {{id: string}} me
   */
  constructor(path, params, me) {
    super();
    this.me = me;
    this.team = null; // with its members, once loaded
    this.online = new Map(); // userId -> user
    this.connection = "connecting";
    this.connectionDetail = null;
    this.stopped = false; // the screen was left: whatever an await brings back afterwards is dropped
    this.socket = new RoomSocket(path, params, {
      onMessage: (type, payload) => this.receive(type, payload),
      onState: (state, detail) => {
        this.connection = state;
        this.connectionDetail = detail;
        if (state !== "open") this.online.clear(); // presence is unknown until the next ROOM_STATE
        this.changed();
      },
    });
  }

  /** Leaving the screen: close the socket for good; subclasses also clear their timers. */
  stop() {
    this.stopped = true;
    this.socket.stop();
  }

  get members() {
    return this.team?.members || [];
  }

  /** The people to list: the team's members once loaded, else whoever the room says is online. */
  get people() {
    return this.members.length ? this.members : [...this.online.values()];
  }

  /** A member, or someone online, by id. */
  user(userId) {
    const id = String(userId);
    return this.members.find((m) => m.id === id) || this.online.get(id) || null;
  }

  /** (Re)load the team and its members; subclasses say its id as `teamId` (null until known). */
  async loadTeam() {
    if (this.teamId === null || this.teamId === undefined) return;
    const team = await api.team(this.teamId);
    if (this.stopped) return;
    this.team = team;
    this.changed();
  }

  /** The presence messages both rooms get (USER_JOIN, USER_LEAVE, USER): applied, and true; else false. */
  presence(type, payload) {
    switch (type) {
      case "USER_JOIN": {
        const id = String(payload.userId);
        this.online.set(id, this.user(id) || { id, login: id });
        if (!this.members.some((m) => m.id === id)) this.loadTeam().catch(showError); // a new member
        return true;
      }
      case "USER_LEAVE":
        this.online.delete(String(payload.userId));
        return true;
      case "USER":
        if (payload.user?.id) this.online.set(String(payload.user.id), payload.user);
        return true;
      default:
        return false;
    }
  }
}
