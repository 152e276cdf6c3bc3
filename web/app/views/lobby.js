// A team's lobby: who is online, the shared contest choice, start or rejoin the training.

import { html, useEffect, useMemo } from "ui";
import { getUser } from "../auth.js";
import { formatDuration } from "../clock.js";
import { t } from "../i18n.js";
import { LobbyModel } from "../lobby-model.js";
import { router } from "../router.js";
import { useObservable } from "../store.js";
import { ConnectionBadge, Header, userName } from "./common.js";

export function LobbyScreen({ teamId, onSignOut }) {
  const model = useMemo(() => new LobbyModel(teamId, getUser(), (id) => router.go(`/training/${id}`)), [teamId]);
  useObservable(model);
  useEffect(() => {
    model.start();
    return () => model.stop();
  }, [model]);

  const online = model.connection === "open";
  return html`<div class="screen">
    <${Header} onSignOut=${onSignOut}>
      <span class="crumb"><a href="#/teams">${t("teams.title")}</a> / ${model.team?.name || "…"}</span>
      <${ConnectionBadge} state=${model.connection} detail=${model.connectionDetail} onReconnect=${() => model.socket.restart()} />
    </${Header}>
    <main class="page lobby" data-testid="lobby">
      <h1>${t("lobby.title", { team: model.team?.name || "" })}</h1>
      ${model.running &&
      html`<div class="banner" data-testid="running-session">
        ${t("lobby.running")}
        <button type="button" class="primary" data-testid="rejoin" onClick=${() => router.go(`/training/${model.running.id}`)}>
          ${t("lobby.rejoin")}</button>
      </div>`}
      <div class="lobby-grid">
        <section class="card">
          <h2>${t("lobby.online")}</h2>
          <ul class="people" data-testid="online-list">
            ${model.people.map((m) => {
              const here = model.online.has(m.id);
              return html`<li key=${m.id} class=${here ? "online" : "offline"} data-testid="member" data-online=${here}>
                <span class="dot"></span>${userName(m)}${m.id === String(model.me.id) ? ` (${t("common.you")})` : ""}</li>`;
            })}
          </ul>
        </section>
        <section class="card">
          <h2>${t("lobby.contests")}</h2>
          <ul class="contests" data-testid="contest-list">
            ${model.contests.map(
              (c) => html`<li key=${c.id}>
                <label class=${c.id === model.selectedContestId ? "selected" : ""}>
                  <input type="radio" name="contest" checked=${c.id === model.selectedContestId} disabled=${!online}
                    data-testid="contest" data-contest-id=${c.id} onChange=${() => model.selectContest(c.id)} />
                  <span class="contest-name">${c.name}</span>
                  <span class="muted">${formatDuration(c.duration)}</span>
                </label>
              </li>`,
            )}
          </ul>
          <button type="button" class="primary big" data-testid="start-training"
            disabled=${model.selectedContestId === null || model.starting || !online} onClick=${() => model.startTraining()}>
            ${model.running ? t("lobby.rejoin") : t("lobby.start")}</button>
          ${model.selectedContestId === null && html`<p class="muted">${t("lobby.pickContest")}</p>`}
        </section>
      </div>
    </main>
  </div>`;
}
