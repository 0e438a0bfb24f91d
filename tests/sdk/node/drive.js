// Drives every implemented vinyasa operation with the official Asana Node SDK (asana 3.x), as its
// users would: ApiClient.cache = false (every GET carries `_=<timestamp>`), opt_fields as arrays,
// and pagination walks with nextPage(). Prints one JSON object: per operation what came back, for
// tests/sdk/test_node_sdk.py to assert. Configuration comes from the environment (VINYASA_*).
"use strict";

const crypto = require("crypto");
const http = require("http");
const Asana = require("asana");

const env = process.env;
const client = new Asana.ApiClient();
client.basePath = env.VINYASA_BASE + "/api/1.0";
client.authentications.token.accessToken = env.VINYASA_TOKEN;
client.cache = false;

const api = {
  users: new Asana.UsersApi(client),
  workspaces: new Asana.WorkspacesApi(client),
  teams: new Asana.TeamsApi(client),
  projects: new Asana.ProjectsApi(client),
  memberships: new Asana.ProjectMembershipsApi(client),
  sections: new Asana.SectionsApi(client),
  tasks: new Asana.TasksApi(client),
  statuses: new Asana.ProjectStatusesApi(client),
  updates: new Asana.StatusUpdatesApi(client),
  briefs: new Asana.ProjectBriefsApi(client),
  customFields: new Asana.CustomFieldsApi(client),
  customFieldSettings: new Asana.CustomFieldSettingsApi(client),
  jobs: new Asana.JobsApi(client),
  templates: new Asana.ProjectTemplatesApi(client),
  portfolios: new Asana.PortfoliosApi(client),
  portfolioMemberships: new Asana.PortfolioMembershipsApi(client),
  webhooks: new Asana.WebhooksApi(client),
  rules: new Asana.RulesApi(client),
  tags: new Asana.TagsApi(client),
  userTaskLists: new Asana.UserTaskListsApi(client),
};
const WS = env.VINYASA_WORKSPACE;
const TEAM = env.VINYASA_TEAM;
const ME = env.VINYASA_USER;

const out = { calls: {}, failures: {}, expected_errors: {} };

// Run one SDK call; record its data (a Collection's `data`, or the envelope's `data`).
async function call(name, fn) {
  try {
    const result = await fn();
    const data = result && Object.prototype.hasOwnProperty.call(result, "data") ? result.data : result;
    out.calls[name] = data === undefined ? null : data;
    return data;
  } catch (error) {
    out.failures[name] = describe(error);
    return null;
  }
}

// A call that must fail: record the status and Asana's error envelope.
async function refused(name, fn) {
  try {
    await fn();
    out.expected_errors[name] = { status: 200 };
  } catch (error) {
    out.expected_errors[name] = describe(error);
  }
}

function describe(error) {
  const response = error && error.response;
  return {
    status: (error && error.status) || (response && response.status) || null,
    body: response ? response.body : null,
    message: String((error && error.message) || error),
  };
}

// Walk every page of a collection with nextPage(); the gids seen and the number of pages.
async function walk(name, first) {
  const seen = [];
  const keys = new Set();
  let pages = 0;
  try {
    let page = await first();
    while (page && page.data) {
      pages += 1;
      for (const item of page.data) {
        seen.push(item.gid);
        keys.add(Object.keys(item).sort().join(","));
      }
      if (pages > 50) throw new Error("more than 50 pages");
      page = await page.nextPage();
    }
    out.calls[name] = { gids: seen, pages, shapes: [...keys] };
  } catch (error) {
    out.failures[name] = describe(error);
  }
}

async function main() {
  const fields = (...names) => ({ opt_fields: names });

  // ---- users and workspaces -----------------------------------------------------------------
  await call("getUser", () => api.users.getUser("me", fields("name", "email")));
  await call("getUsers", () => api.users.getUsers({ workspace: WS, ...fields("name", "email") }));
  await call("getWorkspaces", () => api.workspaces.getWorkspaces(fields("name", "is_organization")));
  await call("getWorkspace", () => api.workspaces.getWorkspace(WS, fields("name", "email_domains")));
  await call("updateWorkspace", () =>
    api.workspaces.updateWorkspace({ data: { name: "Acme Node" } }, WS, fields("name")));
  const people = [];
  for (let i = 0; i < 5; i++) {
    const added = await call("addUserForWorkspace", () =>
      api.workspaces.addUserForWorkspace({ data: { user: `node${i}@example.com` } }, WS, fields("email")));
    if (added) people.push(added.gid);
  }
  await call("addUserForWorkspace:gone", () =>
    api.workspaces.addUserForWorkspace({ data: { user: "gone@example.com" } }, WS));
  await call("removeUserForWorkspace", () =>
    api.workspaces.removeUserForWorkspace({ data: { user: "gone@example.com" } }, WS));
  await call("getUsersForWorkspace", () => api.users.getUsersForWorkspace(WS, fields("email")));
  await walk("walk:getUsersForWorkspace", () =>
    api.users.getUsersForWorkspace(WS, { limit: 2, ...fields("name", "email") }));
  await walk("walk:getUsers", () => api.users.getUsers({ workspace: WS, limit: 2, ...fields("email") }));
  await call("getUserForWorkspace", () => api.users.getUserForWorkspace(WS, "me", fields("email")));
  const myName = (out.calls.getUser && out.calls.getUser.name) || "owner";
  await call("updateUser", () => api.users.updateUser({ data: { name: myName + " N" } }, "me", fields("name")));
  await call("updateUserForWorkspace", () =>
    api.users.updateUserForWorkspace({ data: { name: myName } }, WS, "me", fields("name")));
  await call("updateUser:custom_fields", () =>
    api.users.updateUser({ data: { custom_fields: { [env.VINYASA_USER_FIELD]: "Node" } } }, "me",
      fields("custom_fields.name", "custom_fields.display_value")));
  const myList = await call("getUserTaskListForUser", () =>
    api.userTaskLists.getUserTaskListForUser("me", WS, fields("name", "owner")));
  if (myList) {
    await call("getUserTaskList", () => api.userTaskLists.getUserTaskList(myList.gid, fields("workspace")));
    await call("getTasksForUserTaskList", () =>
      api.tasks.getTasksForUserTaskList(myList.gid, { completed_since: "now", ...fields("name") }));
  }
  await refused("getCustomFieldSettingsForGoal", () =>
    api.customFieldSettings.getCustomFieldSettingsForGoal("12345", {}));

  // ---- teams ----------------------------------------------------------------------------------
  const team = await call("createTeam", () =>
    api.teams.createTeam({ data: { name: "Node team", organization: WS } }, fields("name", "organization.name")));
  const teamGid = team ? team.gid : TEAM;
  await call("getTeam", () => api.teams.getTeam(teamGid, fields("name", "description")));
  await call("updateTeam", () =>
    api.teams.updateTeam({ data: { description: "Drives the SDK" } }, teamGid, fields("description")));
  await call("getTeamsForWorkspace", () => api.teams.getTeamsForWorkspace(WS, fields("name")));
  await call("getTeamsForUser", () => api.teams.getTeamsForUser("me", WS, fields("name")));
  await call("addUserForTeam", () =>
    api.teams.addUserForTeam({ data: { user: people[0] } }, teamGid, fields("user.email", "team.name")));
  await call("removeUserForTeam", () => api.teams.removeUserForTeam({ data: { user: people[0] } }, teamGid));
  await call("getUsersForTeam", () => api.users.getUsersForTeam(TEAM, fields("name")));

  // ---- projects and memberships ---------------------------------------------------------------
  const project = await call("createProject", () =>
    api.projects.createProject(
      { data: { name: "Node roadmap", workspace: WS, team: TEAM } },
      fields("name", "team.name", "owner"),
    ));
  const P = project ? project.gid : null;
  await call("getProject", () => api.projects.getProject(P, fields("name", "members.email")));
  await call("updateProject", () =>
    api.projects.updateProject({ data: { notes: "From node", color: "dark-blue" } }, P, fields("notes", "color")));
  await call("getProjects", () => api.projects.getProjects({ workspace: WS, ...fields("name") }));
  await call("getProjectsForWorkspace", () => api.projects.getProjectsForWorkspace(WS, fields("name", "team")));
  const other = await call("createProjectForWorkspace", () =>
    api.projects.createProjectForWorkspace({ data: { name: "Doomed", team: TEAM } }, WS, fields("name")));
  await call("getProjectsForTeam", () => api.projects.getProjectsForTeam(TEAM, fields("name")));
  await call("createProjectForTeam", () =>
    api.projects.createProjectForTeam({ data: { name: "Team plan" } }, TEAM, fields("name", "team")));
  await call("addMembersForProject", () =>
    api.projects.addMembersForProject({ data: { members: people.slice(0, 2).join(",") } }, P, fields("members")));
  await call("removeMembersForProject", () =>
    api.projects.removeMembersForProject({ data: { members: people[1] } }, P, fields("members")));
  await call("addFollowersForProject", () =>
    api.projects.addFollowersForProject({ data: { followers: people[0] } }, P, fields("followers")));
  await call("removeFollowersForProject", () =>
    api.projects.removeFollowersForProject({ data: { followers: people[0] } }, P, fields("followers")));
  const members = await call("getProjectMembershipsForProject", () =>
    api.memberships.getProjectMembershipsForProject(P, fields("member", "access_level")));
  await call("getProjectMembership", () =>
    api.memberships.getProjectMembership(members[0].gid, fields("member.name", "access_level")));
  await call("deleteProject", () => api.projects.deleteProject(other.gid));

  // ---- sections -------------------------------------------------------------------------------
  const a = await call("createSectionForProject", () =>
    api.sections.createSectionForProject(P, { body: { data: { name: "A" } }, ...fields("name", "project.name") }));
  await call("updateSection", () =>
    api.sections.updateSection(a.gid, { body: { data: { name: "Alpha" } }, ...fields("name") }));
  await call("getSection", () => api.sections.getSection(a.gid, fields("name", "project")));
  const b = await call("createSectionForProject:b", () =>
    api.sections.createSectionForProject(P, { body: { data: { name: "B" } } }));
  await call("insertSectionForProject", () =>
    api.sections.insertSectionForProject(P, { body: { data: { section: b.gid, before_section: a.gid } } }));
  await call("getSectionsForProject", () => api.sections.getSectionsForProject(P, fields("name")));

  // ---- tasks ----------------------------------------------------------------------------------
  const tasks = [];
  for (let i = 0; i < 5; i++) {
    const made = await call("createTask", () =>
      api.tasks.createTask(
        { data: { name: `T${i}`, projects: [P], notes: "n" } },
        fields("name", "projects", "memberships.section.name"),
      ));
    if (made) tasks.push(made.gid);
  }
  const T = tasks[0];
  await call("getTask", () => api.tasks.getTask(T, fields("name", "notes", "memberships", "projects")));
  await call("updateTask", () =>
    api.tasks.updateTask({ data: { name: "T0 renamed", completed: true } }, T, fields("name", "completed")));
  await refused("updateTask:followers", () =>
    api.tasks.updateTask({ data: { followers: [people[0]] } }, T, fields("followers")));
  await call("addTaskForSection", () =>
    api.sections.addTaskForSection(a.gid, { body: { data: { task: tasks[1] } } }));
  await call("getTasksForSection", () => api.tasks.getTasksForSection(a.gid, fields("name")));
  const sub = await call("createSubtaskForTask", () =>
    api.tasks.createSubtaskForTask({ data: { name: "Sub" } }, T, fields("name", "parent.name")));
  await call("getSubtasksForTask", () => api.tasks.getSubtasksForTask(T, fields("name")));
  await call("setParentForTask", () =>
    api.tasks.setParentForTask({ data: { parent: tasks[2] } }, sub.gid, fields("parent.name")));
  const second = await call("createProject:second", () =>
    api.projects.createProject({ data: { name: "Second", workspace: WS, team: TEAM } }));
  await call("addProjectForTask", () =>
    api.tasks.addProjectForTask({ data: { project: second.gid } }, tasks[3]));
  await call("getProjectsForTask", () => api.projects.getProjectsForTask(tasks[3], fields("name")));
  await call("removeProjectForTask", () =>
    api.tasks.removeProjectForTask({ data: { project: second.gid } }, tasks[3]));
  await call("getTasks", () => api.tasks.getTasks({ project: P, ...fields("name", "completed") }));
  await call("getTasksForProject", () => api.tasks.getTasksForProject(P, fields("name")));
  await walk("walk:getTasksForProject", () =>
    api.tasks.getTasksForProject(P, { limit: 2, ...fields("name", "completed") }));
  await walk("walk:getTasks", () =>
    api.tasks.getTasks({ project: P, limit: 2, completed_since: "now", ...fields("name") }));
  await call("getTaskCountsForProject", () =>
    api.projects.getTaskCountsForProject(P, fields("num_tasks", "num_completed_tasks")));
  // ---- search, dependencies, followers ----------------------------------------------------------
  await call("searchTasksForWorkspace", () =>
    api.tasks.searchTasksForWorkspace(WS, {
      text: "T1", "projects.any": P, completed: false, sort_by: "due_date", sort_ascending: true, ...fields("name"),
    }));
  await call("searchTasksForWorkspace:completed", () =>
    api.tasks.searchTasksForWorkspace(WS, { "projects.any": P, completed: true, limit: 5, ...fields("name") }));
  await call("searchProjectsForWorkspace", () =>
    api.projects.searchProjectsForWorkspace(WS, { text: "second", ...fields("name") }));
  await call("addDependenciesForTask", () =>
    api.tasks.addDependenciesForTask({ data: { dependencies: [tasks[2]] } }, tasks[1]));
  await call("addDependentsForTask", () =>
    api.tasks.addDependentsForTask({ data: { dependents: [tasks[3]] } }, tasks[1]));
  await refused("addDependenciesForTask:cycle", () =>
    api.tasks.addDependenciesForTask({ data: { dependencies: [tasks[1]] } }, tasks[2]));
  await call("getDependenciesForTask", () => api.tasks.getDependenciesForTask(tasks[1], fields("name")));
  await call("getDependentsForTask", () => api.tasks.getDependentsForTask(tasks[1], fields("name")));
  await call("searchTasksForWorkspace:blocked", () =>
    api.tasks.searchTasksForWorkspace(WS, { is_blocked: true, ...fields("name") }));
  await call("removeDependenciesForTask", () =>
    api.tasks.removeDependenciesForTask({ data: { dependencies: [tasks[2]] } }, tasks[1]));
  await call("removeDependentsForTask", () =>
    api.tasks.removeDependentsForTask({ data: { dependents: [tasks[3]] } }, tasks[1]));
  await call("addFollowersForTask", () =>
    api.tasks.addFollowersForTask({ data: { followers: [people[1]] } }, tasks[1], fields("followers")));
  await call("removeFollowerForTask", () =>
    api.tasks.removeFollowerForTask({ data: { followers: [people[1]] } }, tasks[1], fields("followers")));
  // ---- custom IDs and favorites ------------------------------------------------------------------
  const idField = await call("createCustomField:custom_id", () =>
    api.customFields.createCustomField(
      { data: { workspace: WS, name: "Node ID", resource_subtype: "text", id_prefix: "NODE" } },
      fields("id_prefix", "representation_type")));
  const idProject = (await api.projects.createProject({ data: { name: "Node IDs", workspace: WS, team: TEAM } }, {}))
    .data.gid;
  await api.projects.addCustomFieldSettingForProject({ data: { custom_field: idField.gid } }, idProject);
  const numbered = (await api.tasks.createTask({ data: { name: "Numbered", projects: [idProject] } }, {})).data.gid;
  await call("getTaskForCustomID", () => api.tasks.getTaskForCustomID(WS, "NODE-1", fields("name", "custom_fields.display_value")));
  await refused("getTaskForCustomID:unknown", () => api.tasks.getTaskForCustomID(WS, "NODE-2", {}));
  await call("getFavoritesForUser", () => api.users.getFavoritesForUser("me", "user", WS, fields("name")));
  await refused("getFavoritesForUser:other", () =>
    api.users.getFavoritesForUser(people[0], "project", WS, {}));
  // ---- tags --------------------------------------------------------------------------------------
  const tag = await call("createTag", () =>
    api.tags.createTag({ data: { name: "Node tag", workspace: WS, color: "light-green" } }, fields("name", "color")));
  const tag2 = await call("createTagForWorkspace", () =>
    api.tags.createTagForWorkspace({ data: { name: "Node tag 2" } }, WS, fields("name", "workspace")));
  await call("getTag", () => api.tags.getTag(tag.gid, fields("name", "color", "followers", "permalink_url")));
  await call("updateTag", () => api.tags.updateTag({ data: { notes: "From node" } }, tag.gid, fields("notes")));
  await call("getTags", () => api.tags.getTags({ workspace: WS, ...fields("name") }));
  await call("getTagsForWorkspace", () => api.tags.getTagsForWorkspace(WS, fields("name")));
  await call("addTagForTask", () => api.tasks.addTagForTask({ data: { tag: tag.gid } }, tasks[1]));
  await call("addTagForTask:2", () => api.tasks.addTagForTask({ data: { tag: tag.gid } }, tasks[2]));
  await call("getTagsForTask", () => api.tags.getTagsForTask(tasks[1], fields("name")));
  await walk("walk:getTasksForTag", () => api.tasks.getTasksForTag(tag.gid, { limit: 1, ...fields("name") }));
  await call("getTasksForTag", () => api.tasks.getTasksForTag(tag.gid, fields("name", "tags.name")));
  await call("searchTasksForWorkspace:tags", () =>
    api.tasks.searchTasksForWorkspace(WS, { "tags.any": tag.gid, ...fields("name") }));
  await call("removeTagForTask", () => api.tasks.removeTagForTask({ data: { tag: tag.gid } }, tasks[2]));
  await refused("addTagForTask:unknown", () => api.tasks.addTagForTask({ data: { tag: "1" } }, tasks[1]));
  await call("deleteTag", () => api.tags.deleteTag(tag2.gid));
  await call("deleteTask", () => api.tasks.deleteTask(tasks[4]));
  await call("deleteSection", () => api.sections.deleteSection(b.gid));

  // ---- statuses and briefs ----------------------------------------------------------------------
  const status = await call("createProjectStatusForProject", () =>
    api.statuses.createProjectStatusForProject(
      { data: { color: "green", text: "All good", title: "Week 1" } }, P, fields("title", "color")));
  await call("getProjectStatusesForProject", () => api.statuses.getProjectStatusesForProject(P, fields("title")));
  await call("getProjectStatus", () => api.statuses.getProjectStatus(status.gid, fields("text", "color")));
  await call("deleteProjectStatus", () => api.statuses.deleteProjectStatus(status.gid));
  const update = await call("createStatusForObject", () =>
    api.updates.createStatusForObject(
      { data: { parent: P, status_type: "on_track", text: "Fine", title: "Update" } }, fields("title", "status_type")));
  await call("getStatusesForObject", () => api.updates.getStatusesForObject(P, fields("title")));
  await call("getStatus", () => api.updates.getStatus(update.gid, fields("text", "parent.name")));
  await call("deleteStatus", () => api.updates.deleteStatus(update.gid));
  const brief = await call("createProjectBrief", () =>
    api.briefs.createProjectBrief({ data: { title: "Plan", text: "Why" } }, P, fields("title", "text")));
  await call("updateProjectBrief", () =>
    api.briefs.updateProjectBrief({ data: { text: "Because" } }, brief.gid, fields("text")));
  await call("getProjectBrief", () => api.briefs.getProjectBrief(brief.gid, fields("title", "text", "project")));
  await call("deleteProjectBrief", () => api.briefs.deleteProjectBrief(brief.gid));

  // ---- memberships (the generic API: a user or a team shares a project) --------------------------
  const shares = new Asana.MembershipsApi(client);
  const share = await call("createMembership", () =>
    shares.createMembership({ body: { data: { parent: P, member: people[2], access_level: "editor" } } }));
  await call("getMemberships", () => shares.getMemberships({ parent: P, ...fields("access_level", "member") }));
  await call("getMembership", () => shares.getMembership(share.gid));
  await call("updateMembership", () =>
    shares.updateMembership({ data: { access_level: "commenter" } }, share.gid));
  await call("deleteMembership", () => shares.deleteMembership(share.gid));

  // ---- events: the 412 dance, then a project followed through 500 changes -----------------------
  const events = new Asana.EventsApi(client);
  await refused("getEvents", () => events.getEvents(P, {}));
  let sync = (out.expected_errors.getEvents.body || {}).sync;
  const followed = [];
  let polls = 0;
  const drain = async () => {
    for (;;) {
      polls += 1;
      // The SDK answers with a Collection: `data`, and the whole body (sync, has_more) in `_response`.
      const page = (await events.getEvents(P, { sync, ...fields("action", "resource", "change") }))._response;
      for (const e of page.data) followed.push([e.resource.gid, e.action, e.change ? e.change.field : null]);
      sync = page.sync;
      if (!page.has_more) return;
    }
  };
  try {
    for (let i = 0; i < 500; i++) {
      await api.tasks.updateTask({ data: { name: `Watched ${i}` } }, tasks[1], {});
      if (i % 150 === 149) await drain();
    }
    await drain();
    out.calls.getEvents = { followed, polls, task: tasks[1] };
  } catch (error) {
    out.failures.getEvents = describe(error);
  }
  await refused("getWorkspaceEvents", () => api.workspaces.getWorkspaceEvents(WS, {}));
  const wsSync = (out.expected_errors.getWorkspaceEvents.body || {}).sync;
  await call("getWorkspaceEvents", () => api.workspaces.getWorkspaceEvents(WS, { sync: wsSync }));

  // ---- custom fields --------------------------------------------------------------------------
  const stage = await call("createCustomField", () =>
    api.customFields.createCustomField(
      { data: { workspace: WS, name: "Node stage", resource_subtype: "enum", enum_options: [{ name: "a" }] } },
      fields("name", "enum_options.name"),
    ));
  const optA = stage.enum_options[0].gid;
  const optB = await call("createEnumOptionForCustomField", () =>
    api.customFields.createEnumOptionForCustomField(stage.gid, { body: { data: { name: "b" } } }));
  await call("insertEnumOptionForCustomField", () =>
    api.customFields.insertEnumOptionForCustomField(stage.gid, {
      body: { data: { enum_option: optB.gid, before_enum_option: optA } },
    }));
  await call("updateEnumOption", () =>
    api.customFields.updateEnumOption(optA, { body: { data: { color: "red" } } }));
  await call("updateCustomField", () =>
    api.customFields.updateCustomField(stage.gid, { body: { data: { name: "Node stage 2" } }, ...fields("name") }));
  await call("getCustomField", () => api.customFields.getCustomField(stage.gid, fields("name", "enum_options.name")));
  await call("getCustomFieldsForWorkspace", () => api.customFields.getCustomFieldsForWorkspace(WS, fields("name")));
  await call("addCustomFieldSettingForProject", () =>
    api.projects.addCustomFieldSettingForProject({ data: { custom_field: stage.gid } }, P, fields("custom_field.name")));
  await call("updateTask:custom_fields", () =>
    api.tasks.updateTask({ data: { custom_fields: { [stage.gid]: optA } } }, tasks[1],
      fields("custom_fields.display_value")));
  await call("getCustomFieldSettingsForProject", () =>
    api.customFieldSettings.getCustomFieldSettingsForProject(P, fields("custom_field.name", "is_important")));
  await call("getCustomFieldSettingsForTeam", () =>
    api.customFieldSettings.getCustomFieldSettingsForTeam(TEAM, fields("custom_field.name", "parent.name")));
  await call("removeCustomFieldSettingForProject", () =>
    api.projects.removeCustomFieldSettingForProject({ data: { custom_field: stage.gid } }, P));
  await call("deleteCustomField", () => api.customFields.deleteCustomField(stage.gid));

  // ---- jobs: duplicates and templates (the server's runner does the work; poll getJob) ---------
  const until = async (name, job) => {
    for (let i = 0; job && i < 600; i++) {
      const seen = await call(name, () =>
        api.jobs.getJob(job.gid, fields("status", "new_project.name", "new_task.name", "new_project_template.name")));
      if (!seen || seen.status === "succeeded" || seen.status === "failed") return seen;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return null;
  };
  const dup = await call("duplicateProject", () =>
    api.projects.duplicateProject(P, { body: { data: { name: "Node copy", include: "task_subtasks,task_notes" } },
      ...fields("status", "resource_subtype") }));
  const dupDone = await until("getJob", dup);
  out.calls["getJob"] = dupDone;
  const taskJob = await call("duplicateTask", () =>
    api.tasks.duplicateTask({ data: { name: "T0 again", include: "projects" } }, tasks[0], fields("status")));
  out.calls["duplicateTask:done"] = await until("getJob:task", taskJob);
  const saved = await call("projectSaveAsTemplate", () =>
    api.projects.projectSaveAsTemplate({ data: { name: "Node template", public: true, team: TEAM } }, P,
      fields("status")));
  const savedDone = await until("getJob:template", saved);
  const TPL = savedDone && savedDone.new_project_template ? savedDone.new_project_template.gid : null;
  await call("getProjectTemplates", () => api.templates.getProjectTemplates({ workspace: WS, ...fields("name") }));
  await call("getProjectTemplatesForTeam", () => api.templates.getProjectTemplatesForTeam(TEAM, fields("name")));
  await call("getProjectTemplate", () =>
    api.templates.getProjectTemplate(TPL, fields("name", "requested_dates", "public", "team.name")));
  const made = await call("instantiateProject", () =>
    api.templates.instantiateProject(TPL, { body: { data: { name: "From node template" } }, ...fields("status") }));
  out.calls["instantiateProject:done"] = await until("getJob:instantiate", made);
  await call("deleteProjectTemplate", () => api.templates.deleteProjectTemplate(TPL));
  // ---- portfolios -----------------------------------------------------------------------------
  const folio = await call("createPortfolio", () =>
    api.portfolios.createPortfolio({ data: { name: "Node bets", workspace: WS, color: "dark-teal" } },
      fields("name", "color", "members")));
  const child = await api.portfolios.createPortfolio({ data: { name: "Node child", workspace: WS } }, {});
  await call("updatePortfolio", () =>
    api.portfolios.updatePortfolio({ data: { name: "Node bets 2", due_on: "2027-02-02" } }, folio.gid,
      fields("name", "due_on")));
  await call("getPortfolio", () => api.portfolios.getPortfolio(folio.gid, fields("name", "owner.name")));
  await call("getPortfolios", () => api.portfolios.getPortfolios(WS, { owner: "me", ...fields("name") }));
  const items = [];
  for (const name of ["I0", "I1", "I2"]) {
    items.push((await api.projects.createProject({ data: { name, workspace: WS, team: TEAM } }, {})).data.gid);
  }
  await call("addItemForPortfolio", () => api.portfolios.addItemForPortfolio({ data: { item: items[0] } }, folio.gid));
  await api.portfolios.addItemForPortfolio({ data: { item: items[1], insert_before: items[0] } }, folio.gid);
  await api.portfolios.addItemForPortfolio({ data: { item: items[2], insert_after: items[1] } }, folio.gid);
  await api.portfolios.addItemForPortfolio({ data: { item: child.data.gid } }, folio.gid);
  await call("getItemsForPortfolio", () => api.portfolios.getItemsForPortfolio(folio.gid, fields("name")));
  await walk("walk:getItemsForPortfolio", () =>
    api.portfolios.getItemsForPortfolio(folio.gid, { limit: 2, ...fields("name") }));
  await call("removeItemForPortfolio", () =>
    api.portfolios.removeItemForPortfolio({ data: { item: items[2] } }, folio.gid));
  await refused("addItemForPortfolio:cycle", () =>
    api.portfolios.addItemForPortfolio({ data: { item: folio.gid } }, child.data.gid));
  const guest = (await api.workspaces.addUserForWorkspace({ data: { user: "portfolio-node@example.com" } }, WS, {}))
    .data.gid;
  await call("addMembersForPortfolio", () =>
    api.portfolios.addMembersForPortfolio({ data: { members: [guest] } }, folio.gid, fields("members")));
  const mships = await call("getPortfolioMembershipsForPortfolio", () =>
    api.portfolioMemberships.getPortfolioMembershipsForPortfolio(folio.gid, fields("user", "access_level")));
  await call("getPortfolioMemberships", () =>
    api.portfolioMemberships.getPortfolioMemberships({ workspace: WS, user: guest, ...fields("access_level") }));
  await call("getPortfolioMembership", () =>
    api.portfolioMemberships.getPortfolioMembership(mships[0].gid, fields("portfolio.name", "access_level")));
  await call("removeMembersForPortfolio", () =>
    api.portfolios.removeMembersForPortfolio({ data: { members: [guest] } }, folio.gid, fields("members")));
  await call("createStatusForObject:portfolio", () =>
    api.updates.createStatusForObject({ data: { parent: folio.gid, status_type: "on_hold", text: "Paused" } },
      fields("resource_subtype", "parent.name")));
  const budget = await call("addCustomFieldSettingForPortfolio", () =>
    api.portfolios.addCustomFieldSettingForPortfolio(
      { data: { custom_field: { name: "Node budget", resource_subtype: "text" } } }, folio.gid));
  await call("getCustomFieldSettingsForPortfolio", () =>
    api.customFieldSettings.getCustomFieldSettingsForPortfolio(folio.gid, fields("custom_field.name")));
  await call("updateProject:portfolio_field", () =>
    api.projects.updateProject({ data: { custom_fields: { [budget.custom_field.gid]: "ample" } } }, items[0],
      fields("custom_fields.display_value")));
  await call("removeCustomFieldSettingForPortfolio", () =>
    api.portfolios.removeCustomFieldSettingForPortfolio({ data: { custom_field: budget.custom_field.gid } },
      folio.gid));
  const folioJob = await call("duplicatePortfolio", () =>
    api.portfolios.duplicatePortfolio(folio.gid, { body: { data: { name: "Node bets copy", include: "members" } },
      ...fields("status", "resource_subtype") }));
  for (let i = 0; folioJob && i < 600; i++) {
    const seen = await api.jobs.getJob(folioJob.gid, fields("status", "new_portfolio.name"));
    out.calls["duplicatePortfolio:done"] = seen.data;
    if (seen.data.status === "succeeded" || seen.data.status === "failed") break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await call("deletePortfolio", () => api.portfolios.deletePortfolio(folio.gid));

  // ---- vinyasa's own API under /_vinyasa/ (plain fetch): the webhook delivery log, rules ----
  const own = async (name, method, path, body) => {
    const response = await fetch(env.VINYASA_BASE + "/_vinyasa" + path, {
      method,
      headers: { Authorization: "Bearer " + env.VINYASA_TOKEN, "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify({ data: body }),
    });
    const parsed = await response.json();
    if (response.status >= 400) {
      out.failures[name] = { status: response.status, body: parsed };
      return null;
    }
    out.calls[name] = parsed.data;
    return parsed.data;
  };

  // ---- webhooks: a receiver in this process answers the handshake and takes a signed delivery ----
  const received = [];
  const receiver = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", () => {
      const secret = req.headers["x-hook-secret"];
      if (secret) {
        res.writeHead(200, { "X-Hook-Secret": secret });
      } else {
        received.push({ signature: req.headers["x-hook-signature"], body: Buffer.concat(chunks) });
        res.writeHead(200);
      }
      res.end();
    });
  });
  await new Promise((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  try {
    const target = `http://127.0.0.1:${receiver.address().port}/node-hook?state=1`;
    const notes = [{ resource_type: "task", action: "changed", fields: ["notes"] }];
    let secret = null;
    const hook = await call("createWebhook", async () => {
      const made = await api.webhooks.createWebhook({ data: { resource: P, target, filters: notes } }, {});
      secret = made["X-Hook-Secret"];
      return made;
    });
    await api.tasks.updateTask({ data: { notes: "Seen by the webhook" } }, tasks[1], {});
    for (let i = 0; i < 100 && received.length === 0; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const delivery = received[0];
    out.calls["createWebhook:delivery"] = delivery
      ? {
          verified:
            crypto.createHmac("sha256", secret).update(delivery.body).digest("hex") === delivery.signature,
          events: JSON.parse(delivery.body.toString()).events.map((e) => [e.resource.gid, e.change.field]),
        }
      : null;
    for (let i = 0; i < 100; i += 1) {  // the worker records the outcome a moment after the delivery
      const seen = await api.webhooks.getWebhook(hook.gid, fields("last_success_at"));
      if (seen.data.last_success_at) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await call("getWebhook", () => api.webhooks.getWebhook(hook.gid, fields("target", "filters", "last_success_at")));
    const log = await own("getWebhookDeliveries_vinyasa", "GET", `/webhooks/${hook.gid}/deliveries?limit=1`);
    if (log && log.length) {
      await own("redeliverWebhookDelivery_vinyasa", "POST", `/webhooks/${hook.gid}/deliveries/${log[0].gid}/redeliver`, {});
    }
    await walk("walk:getWebhooks", () => api.webhooks.getWebhooks(WS, { resource: P, limit: 1, ...fields("target") }));
    await call("getWebhooks", () => api.webhooks.getWebhooks(WS, fields("resource.name")));
    await call("updateWebhook", () =>
      api.webhooks.updateWebhook({ data: { filters: [{ action: "deleted" }] } }, hook.gid, fields("filters")));
    await call("deleteWebhook", () => api.webhooks.deleteWebhook(hook.gid));
    await refused("getWebhook:deleted", () => api.webhooks.getWebhook(hook.gid, {}));
  } finally {
    receiver.close();
  }
  // ---- rules: defined with vinyasa's own API (/_vinyasa/, `own`), run with RulesApi -----
  const ruleProject = (await api.projects.createProject({ data: { name: "Node rules", workspace: WS, team: TEAM } }, {}))
    .data.gid;
  const ticket = (await api.customFields.createCustomField(
    { data: { workspace: WS, name: "Node ticket", resource_subtype: "text" } }, {})).data.gid;
  await api.projects.addCustomFieldSettingForProject({ data: { custom_field: ticket } }, ruleProject);
  const hook = await own("createRuleForProject_vinyasa", "POST", `/projects/${ruleProject}/rules`, {
    name: "From a form",
    trigger: { type: "incoming_web_request" },
    actions: [{ type: "set_custom_field", custom_field: ticket, value: "{{action_data.ticket_id}}" }],
  });
  await own("getRulesForProject_vinyasa", "GET", `/projects/${ruleProject}/rules`);
  await own("getRule_vinyasa", "GET", `/rules/${hook.gid}`);
  const hooked = (await api.tasks.createTask({ data: { name: "Hooked", projects: [ruleProject] } }, {})).data.gid;
  await call("triggerRule", () =>
    api.rules.triggerRule({ data: { resource: hooked, action_data: { ticket_id: "N-7" } } },
      hook.trigger.rule_trigger_gid));
  await call("triggerRule:task", () => api.tasks.getTask(hooked, fields("custom_fields.display_value")));
  await refused("triggerRule:unknown", () =>
    api.rules.triggerRule({ data: { resource: hooked, action_data: {} } }, "1"));
  await own("getRunsForRule_vinyasa", "GET", `/rules/${hook.gid}/runs`);
  await own("updateRule_vinyasa", "PUT", `/rules/${hook.gid}`, { enabled: false });
  await refused("triggerRule:disabled", () =>
    api.rules.triggerRule({ data: { resource: hooked, action_data: { ticket_id: "N-8" } } },
      hook.trigger.rule_trigger_gid));
  await own("deleteRule_vinyasa", "DELETE", `/rules/${hook.gid}`);

  out.ids = { project: P, tasks, people, numbered, section_a: a.gid, section_b: b.gid, team: teamGid };
}

main()
  .catch((error) => {
    out.crash = String((error && error.stack) || error);
  })
  .finally(() => {
    process.stdout.write(JSON.stringify(out));
  });
