"""TODO source"""
