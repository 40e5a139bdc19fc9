local util = {}

function util.describe(status, claim)
  return string.format("%d claim %s", status, claim.id)
end

return util
