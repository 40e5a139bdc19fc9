-- api-doc.lua -- docs/api.md from api/owed.d.lua, and the check that the two agree with the
-- C bindings.
--
--   owed lua scripts/api-doc.lua            writes docs/api.md
--   owed lua scripts/api-doc.lua --check    fails unless every function the bindings register
--                                           is documented, every documented one exists, and
--                                           docs/api.md is what this script would write
local root = (arg[0]:match("^(.*)/scripts/[^/]*$")) or "."
local check = arg[1] == "--check"

local function read(path)
  local f = assert(io.open(path, "r"))
  local text = f:read("a")
  f:close()
  return text
end

-- Parsing: a run of "---" lines documents the declaration that follows it.
local function parse(text)
  local items, doc = {}, {}
  for line in (text .. "\n"):gmatch("(.-)\n") do
    local comment = line:match("^%-%-%-(.*)$")
    if comment then
      doc[#doc + 1] = comment
    else
      local name, args = line:match("^function ([%w_%.:]+)%((.-)%) end")
      local field = line:match("^(owed[%w_%.]*) = ")
      if name then
        items[#items + 1] = { kind = "function", name = name, args = args, doc = doc }
      elseif field then
        items[#items + 1] = { kind = "field", name = field, doc = doc }
      elseif line:match("^local ([%w_]+) = {}") then
        items[#items + 1] = { kind = "class", name = line:match("^local ([%w_]+)"), doc = doc }
      end
      doc = {}
    end
  end
  return items
end

-- ---------------------------------------------------------------- rendering

local function describe(doc)
  local text, params, returns = {}, {}, {}
  for _, l in ipairs(doc) do
    local p = l:match("^@param%s+(.*)$")
    local r = l:match("^@return%s+(.*)$")
    if p then params[#params + 1] = p
    elseif r then returns[#returns + 1] = r
    elseif not l:match("^@") then text[#text + 1] = (l:gsub("^ ", "")) end
  end
  return table.concat(text, " "), params, returns
end

local function row(spec)
  local name, rest = spec:match("^(%S+)%s*(.*)$")
  local ty, note = rest:match("^(%S+)%s*(.*)$")
  return string.format("| `%s` | `%s` | %s |", name or spec, ty or "", note or "")
end

local function render_function(out, it, heading, label)
  local text, params, returns = describe(it.doc)
  out[#out + 1] = string.format("%s %s(%s)", heading, label, it.args)
  out[#out + 1] = ""
  if text ~= "" then out[#out + 1] = text; out[#out + 1] = "" end
  if #params > 0 then
    out[#out + 1] = "| parameter | type | |"
    out[#out + 1] = "|---|---|---|"
    for _, p in ipairs(params) do out[#out + 1] = row(p) end
    out[#out + 1] = ""
  end
  if #returns > 0 then
    out[#out + 1] = "Returns: " .. table.concat(returns, "; then ")
    out[#out + 1] = ""
  end
end

-- Groups the declarations by module (owed.money, ...): its description, its functions, and
-- the methods of the values it hands out (declared on a local class table).
local function sections_of(items)
  local sections, by_name, classes = {}, {}, {}
  local function section(name)
    if not by_name[name] then
      by_name[name] = { name = name, text = "", funcs = {}, methods = {}, class = name }
      sections[#sections + 1] = by_name[name]
    end
    return by_name[name]
  end
  for _, it in ipairs(items) do
    local module = it.name:match("^(owed%.[%w_]+)")
    if it.kind == "class" then
      local class
      for _, l in ipairs(it.doc) do class = class or l:match("^@class%s+([%w_%.]+)") end
      local sec = section((class or "owed"):match("^(owed%.[%w_]+)") or "owed")
      classes[it.name] = { section = sec, class = class }
    elseif it.kind == "field" and module and not it.name:match("^owed%.[%w_]+%.")
        and it.name ~= "owed.config" and it.name ~= "owed.version"
        and it.name ~= "owed.api_version" then
      local sec = section(module)
      local text = describe(it.doc)
      if text ~= "" then sec.text = text end
    elseif it.kind == "function" and it.name:find(":") then
      local c = classes[it.name:match("^([%w_]+):")]
      local list = c.section.methods
      list[#list + 1] = { it = it, class = c.class }
    elseif it.name:match("^owed%.[%w_]+%.") then
      local list = section(module).funcs
      list[#list + 1] = it
    elseif it.name ~= "owed" then
      local list = section("owed").funcs
      list[#list + 1] = it
    end
  end
  return sections
end

local function render(items)
  local out = {
    "# The owed API",
    "",
    "What a plugin (and a script run with `owed lua`) sees as the global `owed`.",
    "Generated from [api/owed.d.lua](../api/owed.d.lua) by `owed lua scripts/api-doc.lua`;",
    "a test checks that it matches the C bindings. Every function raises errors prefixed",
    "with its name: `owed.money.add: currencies differ (EUR, USD)`.",
    "",
  }
  for _, sec in ipairs(sections_of(items)) do
    out[#out + 1] = "## " .. (sec.name == "owed" and "owed (the rest)" or sec.name)
    out[#out + 1] = ""
    if sec.text ~= "" then out[#out + 1] = sec.text; out[#out + 1] = "" end
    for _, it in ipairs(sec.funcs) do
      if it.kind == "function" then
        render_function(out, it, "###", it.name)
      else
        out[#out + 1] = "### " .. it.name
        out[#out + 1] = ""
        out[#out + 1] = (describe(it.doc))
        out[#out + 1] = ""
      end
    end
    local class
    for _, m in ipairs(sec.methods) do
      if m.class ~= class then
        class = m.class
        out[#out + 1] = "### Methods of " .. class .. " values"
        out[#out + 1] = ""
      end
      render_function(out, m.it, "####", "v:" .. m.it.name:match(":(.*)$"))
    end
  end
  return table.concat(out, "\n")
end

-- ---------------------------------------------------------------- checking

-- Every function the bindings put in owed and its modules, and the methods of the values
-- they hand out (amounts, XML elements).
local function registered()
  local names = {}
  for k, v in pairs(owed) do
    if type(v) == "function" then names["owed." .. k] = true end
    if type(v) == "table" then
      for f, fv in pairs(v) do
        if type(fv) == "function" then names["owed." .. k .. "." .. f] = true end
      end
    end
  end
  -- values' metatables are protected from plugins; a script reads them from the registry
  local function methods(prefix, metatable)
    local index = debug.getregistry()[metatable].__index
    for f, fv in pairs(type(index) == "table" and index or {}) do
      if type(fv) == "function" then names[prefix .. ":" .. f] = true end
    end
  end
  owed.money("1.00 EUR")
  owed.xml.parse("<a/>")
  methods("money", "owed.money")
  methods("element", "owed.xml.element")
  return names
end

local function compare(items)
  local documented, problems = {}, {}
  for _, it in ipairs(items) do
    if it.kind == "function" then documented[it.name] = true end
  end
  local have = registered()
  for name in pairs(have) do
    if not documented[name] then problems[#problems + 1] = name .. ": registered, not documented" end
  end
  for name in pairs(documented) do
    if not have[name] then problems[#problems + 1] = name .. ": documented, not registered" end
  end
  table.sort(problems)
  return problems
end

local items = parse(read(root .. "/api/owed.d.lua"))
local doc = render(items)
if not check then
  local f = assert(io.open(root .. "/docs/api.md", "w"))
  f:write(doc, "\n")
  f:close()
  print("wrote " .. root .. "/docs/api.md")
  return
end
local problems = compare(items)
local ok, current = pcall(read, root .. "/docs/api.md")
if not ok or current ~= doc .. "\n" then
  problems[#problems + 1] = "docs/api.md is out of date: run 'owed lua scripts/api-doc.lua'"
end
for _, p in ipairs(problems) do io.stderr:write("api-doc: ", p, "\n") end
local count = 0
for _ in pairs(registered()) do count = count + 1 end
print(string.format("api-doc: %d functions registered, %d problems", count, #problems))
os.exit(#problems == 0 and 0 or 1)
