/**
 * What the server reports: one event per connection, authentication and completed transfer, as a
 * line of text for people or a JSON object for machines.
 */
package dev.ferry.server.log;
