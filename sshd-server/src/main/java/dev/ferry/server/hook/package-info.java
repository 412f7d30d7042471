/**
 * The event hook: a command ferryd runs after each completed upload (and, if asked, download,
 * delete and rename), with the event as JSON on its standard input, off the transfer's thread and
 * within a timeout; a failure is logged, never felt by the client.
 */
package dev.ferry.server.hook;
