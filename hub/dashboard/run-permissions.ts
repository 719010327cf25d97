/**
 * Who may change the run history from the dashboard (delete runs with their files, upload scenarios that start
 * runs): the workshop's facilitator. The regulator is one of the teams playing, so it may not wipe the room's
 * shared record or load the hub during the live session. No Node imports: the history page uses it too.
 */
export const RUN_MANAGER_ROLES: readonly string[] = ['operator'];
