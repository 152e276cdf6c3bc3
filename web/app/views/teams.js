// My teams: create one, add members by login, leave; each team opens its lobby.

import { html, useEffect, useState } from "ui";
import { api } from "../api.js";
import { getUser } from "../auth.js";
import { t } from "../i18n.js";
import { showError, toasts } from "../toast.js";
import { userName } from "./common.js";

function TeamCard({ team, onChanged }) {
  const me = getUser();
  const [login, setLogin] = useState("");
  const add = async (event) => {
    event.preventDefault();
    try {
      await api.addMember(team.id, login.trim());
      setLogin("");
      onChanged();
    } catch (error) {
      showError(error);
    }
  };
  const leave = async () => {
    if (!confirm(t("teams.leaveConfirm", { name: team.name }))) return;
    try {
      await api.removeMember(team.id, me.id);
      toasts.show(t("teams.left", { name: team.name }), "info");
      onChanged();
    } catch (error) {
      showError(error);
    }
  };
  return html`<li class="card team" data-testid="team" data-team-id=${team.id}>
    <div class="team-head">
      <h3>${team.name}</h3>
      <a class="button primary" href=${`#/lobby/${team.id}`} data-testid="open-lobby">${t("teams.openLobby")}</a>
    </div>
    <p class="members">${t("teams.members")}: ${(team.members || []).map((m) => userName(m)).join(", ")}</p>
    <form class="inline" onSubmit=${add}>
      <input placeholder=${t("teams.memberLogin")} aria-label=${t("teams.memberLogin")} value=${login} required
        data-testid="member-login" onInput=${(e) => setLogin(e.currentTarget.value)} />
      <button type="submit" data-testid="add-member">${t("teams.addMember")}</button>
      <button type="button" class="danger" data-testid="leave-team" onClick=${leave}>${t("teams.leave")}</button>
    </form>
  </li>`;
}

export function TeamsScreen() {
  const [teams, setTeams] = useState(null);
  const [name, setName] = useState("");
  const [logins, setLogins] = useState("");

  const load = async () => {
    try {
      const list = await api.teams();
      setTeams(await Promise.all(list.map((team) => api.team(team.id))));
    } catch (error) {
      showError(error);
    }
  };
  useEffect(() => {
    load();
  }, []);

  const create = async (event) => {
    event.preventDefault();
    const memberLogins = logins.split(/[\s,]+/).filter(Boolean);
    try {
      await api.createTeam(name.trim(), memberLogins);
      setName("");
      setLogins("");
      load();
    } catch (error) {
      showError(error);
    }
  };

  return html`<main class="page teams-page">
    <h1>${t("teams.title")}</h1>
    ${teams === null
      ? html`<p class="muted">${t("common.loading")}</p>`
      : teams.length === 0
        ? html`<p class="muted" data-testid="no-teams">${t("teams.none")}</p>`
        : html`<ul class="team-list">${teams.map((team) => html`<${TeamCard} key=${team.id} team=${team} onChanged=${load} />`)}</ul>`}
    <form class="card create-team" onSubmit=${create} data-testid="create-team">
      <h2>${t("teams.create")}</h2>
      <label>${t("teams.name")}<input value=${name} required maxlength="100" data-testid="team-name"
        onInput=${(e) => setName(e.currentTarget.value)} /></label>
      <label>${t("teams.inviteLogins")}<input value=${logins} data-testid="team-logins" placeholder="alice, bob"
        onInput=${(e) => setLogins(e.currentTarget.value)} /></label>
      <button type="submit" class="primary">${t("teams.createButton")}</button>
    </form>
  </main>`;
}
