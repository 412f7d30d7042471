/**
 * What the nodes behind a balancer share in PostgreSQL: the users (the users file's entries as
 * rows, read at each login so that every node sees a change at the next login) and the offences
 * and bans (so that a ban made by one node is in force on all); the schema created and upgraded
 * by numbered SQL files.
 */
package dev.ferry.server.postgres;
