-- letter: the paper channel.  Each letter becomes <outgoing>/letter/<date>/<file>.pdf, written
-- whole or not at all; a print-and-post service (or a person) picks the folder up.  Writing the
-- same delivery again overwrites the same file, so a retry never makes a second letter.
local M = {}

function M.deliver(msg)
  if not msg.pdf then return nil, "the step has no letter to print" end
  owed.files.write(owed.date.today() .. "/" .. msg.filename, msg.pdf)
  return true
end

return M
