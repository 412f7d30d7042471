/** What {@code ferry cp} copies from and to: local paths and remote ones, read exactly as scp reads them. */
package dev.ferry.client.operand;
