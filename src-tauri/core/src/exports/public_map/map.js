// The campaign's public map: restaurants whose owners agreed to be listed. Every word from the
// data goes into the page as text, never as markup.
(function () {
  var data = window.TABLEMAP_PUBLIC || { features: [] };
  var map = L.map("map");
  L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
    maxZoom: 19,
    attribution: "© OpenStreetMap contributors",
  }).addTo(map);

  function text(tag, value, className) {
    var el = document.createElement(tag);
    el.textContent = value;
    if (className) el.className = className;
    return el;
  }

  var bounds = [];
  data.features.forEach(function (f) {
    var p = f.properties;
    var lat = f.geometry.coordinates[1];
    var lon = f.geometry.coordinates[0];
    bounds.push([lat, lon]);
    var box = document.createElement("div");
    box.className = "popup";
    box.appendChild(text("h3", p.name));
    if (p.address) box.appendChild(text("p", p.address + (p.postcode ? ", " + p.postcode : "")));
    if (p.cuisines && p.cuisines.length) box.appendChild(text("p", p.cuisines.join(", ")));
    if (p.sticker_placed) box.appendChild(text("p", "Displays the campaign sticker", "sticker"));
    L.circleMarker([lat, lon], {
      radius: 8,
      color: "#ffffff",
      weight: 2,
      fillColor: p.sticker_placed ? "#009e73" : "#0072b2",
      fillOpacity: 0.95,
    })
      .bindPopup(box)
      .addTo(map);
  });
  if (bounds.length) map.fitBounds(bounds, { padding: [30, 30], maxZoom: 16 });
  else map.setView([51.5072, -0.1276], 11);
  document.getElementById("count").textContent = data.features.length + " restaurants taking part";
})();
