// Incremental parser for text/event-stream, following the WHATWG rules:
// a network read may end anywhere — mid-line, mid-event, or between the CR
// and LF of a CRLF — so we keep the unfinished line and the unfinished event
// across push() calls. Used for POST streams (ask), which EventSource cannot
// make, and for job events, because EventSource cannot send an API key.
export class SSEParser {
  constructor(onEvent) {
    this.onEvent = onEvent;
    this.buf = '';
    this.reset();
  }

  reset() { this.event = ''; this.data = []; }

  /** Feed decoded text (use a streaming TextDecoder so UTF-8 is not split). */
  push(text) {
    this.buf += text;
    let start = 0;
    for (let i = 0; i < this.buf.length; i++) {
      const c = this.buf[i];
      if (c !== '\n' && c !== '\r') continue;
      if (c === '\r' && i + 1 === this.buf.length) break; // maybe half a CRLF: wait
      this.line(this.buf.slice(start, i));
      if (c === '\r' && this.buf[i + 1] === '\n') i++;
      start = i + 1;
    }
    this.buf = this.buf.slice(start);
  }

  /** End of stream: a last event without its blank line is still delivered. */
  end() {
    if (this.buf) this.line(this.buf.replace(/\r$/, ''));
    this.buf = '';
    this.line('');
  }

  line(l) {
    if (l === '') {
      if (this.data.length) this.onEvent({ event: this.event || 'message', data: this.data.join('\n') });
      this.reset();
      return;
    }
    if (l[0] === ':') return; // comment / keep-alive
    const colon = l.indexOf(':');
    const field = colon < 0 ? l : l.slice(0, colon);
    let value = colon < 0 ? '' : l.slice(colon + 1);
    if (value[0] === ' ') value = value.slice(1);
    if (field === 'event') this.event = value;
    else if (field === 'data') this.data.push(value);
  }
}
