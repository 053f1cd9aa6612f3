/**
 * The console's only script, served from /web/assets/console.js (the CSP allows no other).
 * Plain DOM code, no framework: local times, countdowns, and live updates from /web/events.
 * Every page works without it; it only adds liveness and the viewer's time zone.
 */
export const CONSOLE_JS = String.raw`'use strict';
(function () {
  var dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

  function localTimes(root) {
    root.querySelectorAll('time[data-local]').forEach(function (el) {
      var d = new Date(el.getAttribute('datetime'));
      if (!isNaN(d)) { el.textContent = dateFormat.format(d); el.title = d.toISOString(); }
    });
    countdowns(root);
  }

  function span(ms) {
    var s = Math.max(0, Math.floor(ms / 1000));
    var d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
    if (d > 0) return d + 'd ' + h + 'h';
    if (h > 0) return h + 'h ' + m + 'm';
    if (m > 0) return m + 'm ' + (s % 60) + 's';
    return (s % 60) + 's';
  }

  function countdowns(root) {
    var now = Date.now();
    root.querySelectorAll('time[data-countdown]').forEach(function (el) {
      var d = new Date(el.getAttribute('datetime'));
      if (isNaN(d)) return;
      var left = d.getTime() - now;
      el.textContent = (left > 0 ? 'in ' + span(left) : 'passed') + ' (' + dateFormat.format(d) + ')';
    });
  }

  function fragment(markup) {
    var t = document.createElement('template');
    t.innerHTML = markup;
    localTimes(t.content);
    return t.content.firstElementChild;
  }

  function say(live, text) {
    var status = live.querySelector('[data-live-status]');
    if (status) status.textContent = text;
  }

  function updateSection(section, id, markup, prepend) {
    var body = section.querySelector('tbody');
    if (!body) return;
    var old = body.querySelector('tr[data-id="' + id + '"]');
    if (markup) {
      var row = fragment(markup);
      if (old) old.replaceWith(row);
      else if (prepend) body.prepend(row);
      else return;
    } else if (old) {
      old.remove();
    } else return;
    var empty = body.children.length === 0;
    var table = section.querySelector('table');
    var note = section.querySelector('.empty');
    if (table) table.hidden = empty;
    if (note) note.hidden = !empty;
  }

  function onListMessage(live, msg) {
    var first = live.getAttribute('data-first-page') === 'yes';
    Object.keys(msg.sections).forEach(function (name) {
      var section = live.querySelector('[data-section="' + name + '"]');
      if (section) updateSection(section, msg.id, msg.sections[name], first || name !== 'all');
    });
    if (msg.sections.review) say(live, 'A request is waiting for your review.');
  }

  function onRequestMessage(live, msg) {
    var target = document.getElementById('request-live');
    if (!target) return;
    target.replaceChildren();
    var t = document.createElement('template');
    t.innerHTML = msg.html;
    localTimes(t.content);
    target.append(t.content);
    live.querySelectorAll('[data-show-when]').forEach(function (el) {
      el.hidden = el.getAttribute('data-show-when') !== msg.state;
    });
    say(live, 'Updated: the request is ' + msg.state.toLowerCase() + '.');
  }

  function follow(live) {
    var url = live.getAttribute('data-live');
    if (!url || !window.EventSource) return;
    var source = new EventSource(url);
    live.setAttribute('data-live-state', 'connecting');
    source.addEventListener('open', function () { live.setAttribute('data-live-state', 'open'); });
    source.addEventListener('request', function (e) {
      var msg = JSON.parse(e.data);
      if (msg.sections) onListMessage(live, msg); else onRequestMessage(live, msg);
    });
    source.addEventListener('deleted', function (e) {
      var id = JSON.parse(e.data).id;
      live.querySelectorAll('tr[data-id="' + id + '"]').forEach(function (row) { row.remove(); });
    });
    source.addEventListener('ended', function () {
      source.close();
      live.setAttribute('data-live-state', 'closed');
      say(live, 'You were signed out. Sign in again to see live updates.');
    });
    source.addEventListener('error', function () {
      if (source.readyState === EventSource.CLOSED) {
        live.setAttribute('data-live-state', 'closed');
        say(live, 'Live updates stopped. Reload the page to see changes.');
      }
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    localTimes(document);
    setInterval(function () { countdowns(document); }, 1000);
    document.querySelectorAll('[data-live]').forEach(follow);
  });
})();
`;
