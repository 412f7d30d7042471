/**
 * ferryd as an operator runs it: its Prometheus metrics scraped over HTTP after known work by real
 * clients, and the event hook run after transfers (what it is told, and what happens when it fails).
 */
package dev.ferry.it.ops;
