// My teams and invitations: create a team, invite by login, accept or decline, leave; my account (password,
// sign out everywhere). Each team opens its lobby.

import { html, useEffect, useState } from "ui";
import { api } from "../api.js";
import { clearLogin, getUser } from "../auth.js";
import { t } from "../i18n.js";
import { router } from "../router.js";
import { showError, toasts } from "../toast.js";
import { userName } from "./common.js";

function TeamCard({ team, onChanged }) {
  const me = getUser();
  const [login, setLogin] = useState("");
  const invite = async (event) => {
    event.preventDefault();
    try {
      await api.addMember(team.id, login.trim());
      toasts.show(t("teams.invited", { login: login.trim() }), "info");
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
  const invited = team.invited || [];
  return html`<li class="card team" data-testid="team" data-team-id=${team.id}>
    <div class="team-head">
      <h3>${team.name}</h3>
      <a class="button primary" href=${`#/lobby/${team.id}`} data-testid="open-lobby">${t("teams.openLobby")}</a>
    </div>
    <p class="members">${t("teams.members")}: ${(team.members || []).map((m) => userName(m)).join(", ")}</p>
    ${invited.length > 0 &&
    html`<p class="invited muted" data-testid="invited">${t("teams.waiting")}: ${invited.map((u) => userName(u)).join(", ")}</p>`}
    <form class="inline" onSubmit=${invite}>
      <input placeholder=${t("teams.memberLogin")} aria-label=${t("teams.memberLogin")} value=${login} required
        data-testid="member-login" onInput=${(e) => setLogin(e.currentTarget.value)} />
      <button type="submit" data-testid="add-member">${t("teams.addMember")}</button>
      <button type="button" class="danger" data-testid="leave-team" onClick=${leave}>${t("teams.leave")}</button>
    </form>
  </li>`;
}

function Invitations({ invitations, onChanged }) {
  const answer = async (invitation, accept) => {
    try {
      if (accept) await api.acceptInvitation(invitation.team.id);
      else await api.declineInvitation(invitation.team.id);
      onChanged();
    } catch (error) {
      showError(error);
    }
  };
  if (invitations.length === 0) return null;
  return html`<section class="card invitations" data-testid="invitations">
    <h2>${t("teams.invitations")}</h2>
    <ul class="team-list">
      ${invitations.map(
        (inv) => html`<li key=${inv.team.id} data-testid="invitation" data-team-id=${inv.team.id} class="invitation">
          <span>${t("teams.invitation", { inviter: userName(inv.inviter), name: inv.team.name })}</span>
          <span class="actions">
            <button type="button" class="primary" data-testid="accept-invitation" onClick=${() => answer(inv, true)}>
              ${t("teams.accept")}</button>
            <button type="button" data-testid="decline-invitation" onClick=${() => answer(inv, false)}>
              ${t("teams.decline")}</button>
          </span>
        </li>`,
      )}
    </ul>
  </section>`;
}

function Account() {
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const change = async (event) => {
    event.preventDefault();
    try {
      await api.changePassword(current, next);
      setCurrent("");
      setNext("");
      toasts.show(t("account.changed"), "info");
    } catch (error) {
      showError(error);
    }
  };
  const everywhere = async () => {
    if (!confirm(t("account.everywhereConfirm"))) return;
    try {
      await api.logoutEverywhere();
    } catch (error) {
      showError(error);
      return;
    }
    clearLogin();
    router.go("/signin");
  };
  return html`<section class="card account" data-testid="account">
    <h2>${t("account.title")}</h2>
    <form onSubmit=${change} data-testid="password-form">
      <label>${t("account.current")}<input type="password" autocomplete="current-password" required value=${current}
        name="current_password" onInput=${(e) => setCurrent(e.currentTarget.value)} /></label>
      <label>${t("account.new")}<input type="password" autocomplete="new-password" required minlength="6" value=${next}
        name="new_password" onInput=${(e) => setNext(e.currentTarget.value)} /></label>
      <button type="submit">${t("account.change")}</button>
    </form>
    <p class="muted">${t("account.everywhereHint")}</p>
    <button type="button" class="danger" data-testid="sign-out-everywhere" onClick=${everywhere}>
      ${t("account.everywhere")}</button>
  </section>`;
}

export function TeamsScreen() {
  const [teams, setTeams] = useState(null);
  const [invitations, setInvitations] = useState([]);
  const [name, setName] = useState("");
  const [logins, setLogins] = useState("");

  const load = async () => {
    try {
      const [list, pending] = await Promise.all([api.teams(), api.invitations()]);
      setInvitations(pending);
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
    <${Invitations} invitations=${invitations} onChanged=${load} />
    ${teams === null
      ? html`<p class="muted">${t("common.loading")}</p>`
      : teams.length === 0
        ? html`<p class="muted" data-testid="no-teams">${t("teams.none")}</p>`
        : html`<ul class="team-list">${teams.map((team) => html`<${TeamCard} key=${team.id} team=${team} onChanged=${load} />`)}</ul>`}
    <div class="page-cards">
      <form class="card create-team" onSubmit=${create} data-testid="create-team">
        <h2>${t("teams.create")}</h2>
        <label>${t("teams.name")}<input value=${name} required maxlength="100" data-testid="team-name"
          onInput=${(e) => setName(e.currentTarget.value)} /></label>
        <label>${t("teams.inviteLogins")}<input value=${logins} data-testid="team-logins" placeholder="alice, bob"
          onInput=${(e) => setLogins(e.currentTarget.value)} /></label>
        <button type="submit" class="primary">${t("teams.createButton")}</button>
      </form>
      <${Account} />
    </div>
  </main>`;
}
