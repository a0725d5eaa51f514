/* Portal Desa Cerdas maps: draws the scoped boundary GeoJSON on a django-leaflet map.
 *
 * The map's container sits inside an element with `data-portal-map`, whose data attributes give
 * the GeoJSON address and the texts; a <select data-map-layer> chooses what colours the polygons.
 * Polygons are vector layers, so they show (and the view fits them) even when tiles cannot load.
 */
(function () {
  "use strict";

  var GREY = "#9e9e9e";
  var COLOURS = {
    programme_status: {
      candidate: "#fdd835", active: "#1e88e5", graduated: "#2e7d32", withdrawn: "#8d6e63"
    },
    idm_status: {
      sangat_tertinggal: "#c62828", tertinggal: "#ef6c00", berkembang: "#fdd835",
      maju: "#7cb342", mandiri: "#2e7d32"
    },
    connectivity: {
      none: "#c62828", "2g": "#ef6c00", "3g": "#fdd835", "4g": "#7cb342",
      fibre: "#2e7d32", village_wifi: "#1565c0"
    },
    // The dashboard's layers from its rollups (data-layers-url), as bands.
    visits_period: {v0: "#c62828", v1: "#fdd835", v3: "#7cb342", v6: "#2e7d32"},
    request_backlog: {overdue: "#c62828", many: "#ef6c00", some: "#fdd835", none: "#2e7d32"},
    progress: {p0: "#c62828", p25: "#ef6c00", p50: "#fdd835", p75: "#2e7d32"}
  };
  var SPARE = ["#6a1b9a", "#00838f", "#ad1457", "#4e342e", "#283593"];

  function colourOf(layer, value) {
    if (!value) return GREY;
    var known = COLOURS[layer] || {};
    if (!known[value]) {
      // A status added as data (a new IDM band): a spare colour, stable for the page.
      known[value] = SPARE[Object.keys(known).length % SPARE.length];
      COLOURS[layer] = known;
    }
    return known[value];
  }

  function text(tag, content, className) {
    var element = document.createElement(tag);
    element.textContent = content;
    if (className) element.className = className;
    return element;
  }

  function popup(properties, box) {
    var wrapper = document.createElement("div");
    var link = text("a", properties.name);
    link.href = properties.url;
    var title = document.createElement("strong");
    title.appendChild(link);
    wrapper.appendChild(title);
    if (properties.district_name) wrapper.appendChild(text("div", properties.district_name));
    Object.keys(COLOURS).forEach(function (layer) {
      var label = properties[layer + "_label"];
      var name = box.dataset[layerKey(layer)];
      if (label && name) wrapper.appendChild(text("div", name + ": " + label));
    });
    return wrapper;
  }

  function layerKey(layer) {
    // "idm_status" -> "labelIdmStatus", the dataset name of data-label-idm-status.
    return "label" + layer.replace(/(^|_)([a-z])/g, function (m, s, c) { return c.toUpperCase(); });
  }

  function drawLegend(box, features, layer) {
    var legend = box.querySelector("[data-map-legend]");
    if (!legend) return;
    var seen = {};
    features.forEach(function (feature) {
      var value = feature.properties[layer] || "";
      seen[value] = feature.properties[layer + "_label"] || box.dataset.noValueText;
    });
    legend.textContent = "";
    var list = document.createElement("ul");
    // In the palette's order (worst to best), with villages lacking data last.
    var order = Object.keys(COLOURS[layer] || {});
    var rank = function (value) {
      var index = order.indexOf(value);
      return value === "" ? order.length + 1 : (index < 0 ? order.length : index);
    };
    Object.keys(seen).sort(function (a, b) { return rank(a) - rank(b); }).forEach(function (value) {
      var item = document.createElement("li");
      var swatch = text("span", "", "map-swatch");
      swatch.style.background = colourOf(layer, value);
      swatch.setAttribute("aria-hidden", "true");
      item.appendChild(swatch);
      item.appendChild(document.createTextNode(" " + seen[value]));
      list.appendChild(item);
    });
    legend.appendChild(list);
  }

  function showNote(box, message) {
    var note = box.querySelector("[data-map-note]");
    if (note) {
      note.textContent = message;
      note.hidden = false;
    }
  }

  function draw(map, box, data, state) {
    var select = box.querySelector("[data-map-layer]");
    var features = data.type === "Feature" ? [data] : data.features;
    if (!features.length) {
      showNote(box, box.dataset.emptyText);
      return;
    }
    var geojson = L.geoJSON(data, {
      style: function (feature) {
        var layer = select ? select.value : null;
        return {
          color: "#37474f", weight: 1, fillOpacity: 0.6,
          fillColor: layer ? colourOf(layer, feature.properties[layer]) : "#1e88e5"
        };
      },
      onEachFeature: function (feature, path) {
        path.bindPopup(function () { return popup(feature.properties, box); });
      }
    }).addTo(map);
    if (state.layer) {
      // A more detailed copy replaces the coarse one; the view stays where the user put it.
      map.removeLayer(state.layer);
    } else {
      map.fitBounds(geojson.getBounds(), {padding: [8, 8]});
    }
    state.layer = geojson;
    state.features = features;
    if (select) {
      if (!state.listening) {
        select.addEventListener("change", function () {
          state.layer.setStyle(state.layer.options.style);
          drawLegend(box, state.features, select.value);
        });
        state.listening = true;
        select.disabled = false;
      }
      drawLegend(box, features, select.value);
    }
  }

  function getJSON(url) {
    return fetch(url, {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      });
  }

  function withLayers(data, layers) {
    // Figures that change often come apart from the (long cached) outlines, keyed by code.
    if (!layers) return data;
    (data.type === "Feature" ? [data] : data.features).forEach(function (feature) {
      var extra = layers.villages[feature.properties.code];
      if (!extra) return;
      Object.keys(extra).forEach(function (key) {
        feature.properties[key] = extra[key];
        var labels = (layers.labels || {})[key];
        if (labels) feature.properties[key + "_label"] = labels[extra[key]];
      });
    });
    return data;
  }

  function load(map, box, state, zoom) {
    var url = new URL(box.dataset.geojsonUrl, window.location.href);
    if (zoom) url.searchParams.set("zoom", zoom);
    state.zoom = Number(url.searchParams.get("zoom")) || null;
    if (box.dataset.layersUrl && !state.layers) {
      state.layers = getJSON(new URL(box.dataset.layersUrl, window.location.href));
    }
    return Promise.all([getJSON(url), state.layers || null])
      .then(function (results) { draw(map, box, withLayers(results[0], results[1]), state); })
      .catch(function () { showNote(box, box.dataset.errorText); });
  }

  window.portalMap = function (map) {
    var box = map.getContainer().closest("[data-portal-map]");
    if (!box || !box.dataset.geojsonUrl) return;
    var state = {};
    load(map, box, state).then(function () {
      // Collections come simplified for one zoom: zooming well past it fetches finer outlines.
      map.on("zoomend", function () {
        var zoom = Math.min(map.getZoom(), 16);
        if (state.zoom && zoom > state.zoom + 1) load(map, box, state, zoom);
      });
    });
  };
})();
