/**
 * Users in PostgreSQL: the users file's entries as rows, read at each login so that every node
 * sees a change at the next login; the schema created and upgraded by numbered SQL files.
 */
package dev.ferry.server.users.postgres;
