/* Starts the rasa-webchat widget (the standalone bundle exposes `WebChat.default(props, element)`) against
 * the Rasa socket.io channel. /config.js (written by scripts/serve_web.py from the environment) says where
 * Rasa is; by default it is this page's host name on port RASA_PORT.
 */
(function () {
  "use strict";

  var config = window.KVISA_CHAT_CONFIG || { socketUrl: null, rasaPort: 5005, socketPath: "/socket.io/" };

  function rasaUrl() {
    if (config.socketUrl) return config.socketUrl;
    var scheme = window.location.protocol === "https:" ? "https:" : "http:";
    var host = window.location.hostname;
    if (host.indexOf(":") >= 0) host = "[" + host + "]"; // an IPv6 address
    return scheme + "//" + host + ":" + config.rasaPort;
  }

  function openChat() {
    // The widget has no public "open" call in its standalone form: its launcher button is the way in.
    var launcher = document.querySelector(".rw-launcher");
    if (launcher && !document.querySelector(".rw-conversation-container")) launcher.click();
    var input = document.querySelector(".rw-new-message");
    if (input) input.focus();
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-open-chat]"), function (button) {
      button.addEventListener("click", openChat);
    });
  });

  window.WebChat.default({
    socketUrl: rasaUrl(),
    socketPath: config.socketPath,
    // Rasa's socketio channel has session_persistence: true. The widget asks for a session with the id it
    // stored; on the first visit it has none and Rasa makes a random one (uuid4), kept in localStorage so the
    // conversation survives a reload.
    params: { storage: "local" },
    initPayload: "/greet",
    title: "K-visa assistant",
    subtitle: "China's visa for young science and technology talent",
    inputTextFieldHint: "Ask about the K visa, or type your age, degree, field, university\u2026",
    connectingText: "Connecting to the assistant\u2026",
    // Sessions come from Rasa alone: the rules feature would wait for a server that sends rules.
    withRules: false,
    hideWhenNotConnected: false,
    showFullScreenButton: true,
    displayUnreadCount: true,
    customComponent: window.KvisaVerdictCard,
    customMessageDelay: function (message) {
      return Math.min(Math.max(String(message || "").length * 8, 300), 1200);
    }
  }, document.getElementById("chat-root"));
})();
