"""impacket 0.10's NDR made comparable with any correct NDR encoder, for the vector generators
(make-vectors.py here, ../../wmi/testdata/make-method-vectors.py). Import it before any other
impacket.dcerpc module:
- NDR leaves alignment padding undefined; impacket fills it with marker bytes (0xcc, 0xce, 0xab…).
  impacket's ndr.py is loaded here with those fillers set to zero, as our writer pads.
- impacket draws referent ids at random; here each id is a unique marker, and renumber() turns
  them, per NDR stream in order of appearance, into 0x00020000, 0x00020004, … (what Windows and
  our writer use)."""
import importlib.util, re, struct, sys

import impacket.dcerpc.v5  # noqa: F401  (the package, before its ndr module is replaced)
spec = importlib.util.find_spec('impacket.dcerpc.v5.ndr')
src = open(spec.origin).read()
src = re.sub(r"b'\\x[0-9a-fA-F]{2}'\*pad", "b'\\\\x00'*pad", src)
ndr = importlib.util.module_from_spec(spec)
sys.modules['impacket.dcerpc.v5.ndr'] = ndr
exec(compile(src, spec.origin, 'exec'), ndr.__dict__)

MARKERS = []
class Markers:
    @staticmethod
    def randint(a, b):
        MARKERS.append(0x7a5a0000 + len(MARKERS) + 1)
        return MARKERS[-1]
ndr.random = Markers

def renumber(data):
    """Referent-id markers -> 0x00020000 + 4i in order of first appearance."""
    issued = set(MARKERS)
    out = bytearray(data); seen = {}
    for i in range(len(out) - 3):
        v = struct.unpack_from('<I', out, i)[0]
        if v in issued:
            if v not in seen: seen[v] = 0x00020000 + 4 * len(seen)
            struct.pack_into('<I', out, i, seen[v])
    return bytes(out)
