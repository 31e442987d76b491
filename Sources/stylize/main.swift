import StylizeKit
print("stylize")
